package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
)

// rerunExercise creates a new exercise from the exact scenario and
// parameters of another (POST /api/exercises/:id/rerun), with a new join
// code, in the lobby.
func (s *Server) rerunExercise(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	old, err := s.engine.Get(ctx, c.Param("id"))
	if err != nil {
		fail(c, engineError(err))
		return
	}
	row, err := s.access.Scenario(ctx, old.ScenarioID)
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	s.createAndReply(ctx, c, engine.CreateInput{File: row.Slug + ".yaml", Source: row.Source, Params: old.Params, Title: old.Title})
}

// archiveExercise hides an exercise from the default list or restores it
// (POST …/archive, …/unarchive); a running or paused one is refused (409).
func (s *Server) archiveExercise(archived bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.needEngine(c) {
			return
		}
		ctx, cancel := withTimeout(c.Request.Context())
		defer cancel()
		if err := s.engine.Archive(ctx, c.Param("id"), archived); err != nil {
			fail(c, engineError(err))
			return
		}
		c.JSON(http.StatusOK, gin.H{"ok": true})
	}
}

// deleteExercise removes an exercise and its whole log (DELETE
// /api/exercises/:id); a running or paused one is refused (409). Its
// participants' and observers' tokens go with it and their sockets close.
func (s *Server) deleteExercise(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	ex := c.Param("id")
	if err := s.engine.Delete(ctx, ex); err != nil {
		fail(c, engineError(err))
		return
	}
	s.closeSockets(func(id *Identity) bool { return id.Role != Facilitator && id.ExerciseID == ex }, hub.CloseAccessRevoked, "the exercise was deleted")
	c.Status(http.StatusNoContent)
}
