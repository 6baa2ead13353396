"""Deployment: the local stack (no Docker), compose and Kubernetes manifests, gateway config."""
