-- The event log's per-database sequence (ent cannot declare a sequence;
-- events.seq defaults to nextval of it).
CREATE SEQUENCE "event_seq";
