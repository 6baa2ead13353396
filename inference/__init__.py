"""The Triton model repository and the client the frame processor uses."""
