import { Alert, Box, CircularProgress, Typography } from "@mui/material";
import type { ReactNode } from "react";

export function Loading({ what }: { what: string }) {
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 2, p: 2 }} role="status">
      <CircularProgress size={24} aria-hidden />
      <Typography>Loading {what}…</Typography>
    </Box>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ p: 3, textAlign: "center", color: "text.secondary" }} role="status">
      <Typography>{children}</Typography>
    </Box>
  );
}

export function Failed({ message }: { message: string | null }) {
  return message ? (
    <Alert severity="error" role="alert" sx={{ mb: 2 }}>
      {message}
    </Alert>
  ) : null;
}
