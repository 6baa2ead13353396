"""Object storage (S3 API: MinIO locally, any S3 in production) for media and evidence."""
