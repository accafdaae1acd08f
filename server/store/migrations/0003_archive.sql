-- Archived exercises are hidden from the default list and can be restored.
ALTER TABLE exercises ADD COLUMN archived_at INTEGER;
