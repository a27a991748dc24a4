-- Create index "event_subject_id_created_at" to table: "events"
CREATE INDEX "event_subject_id_created_at" ON "events" ("subject_id", "created_at");
