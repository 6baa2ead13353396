"""The judge of coding questions: students' programs run in a sandbox, against the tests."""
