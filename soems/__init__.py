"""SOEMS command line and typed settings shared by every service."""
