package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// promoteLead makes a participant their team's lead, on the facilitator's
// order (the route is the facilitator's). The engine logs lead_changed to
// the team; the previous lead stays a member.
func (s *Server) promoteLead(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := withTimeout(c.Request.Context())
	defer cancel()
	if err := s.engine.SetLead(ctx, c.Param("id"), c.Param("pid")); err != nil {
		fail(c, engineError(err))
		return
	}
	c.Status(http.StatusNoContent)
}
