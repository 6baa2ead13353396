"""The exam aggregate: drafting, editing and publishing exams (stream ``exam-<id>``)."""
