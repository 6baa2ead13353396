"""What both HTTP APIs share: the error shape and its handlers, and HTTP metrics."""
