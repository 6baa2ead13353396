import { Box, Typography } from "@mui/material";
import { Empty } from "../shared";

export default function ProctorHome() {
  return (
    <Box>
      <Typography component="h1" variant="h4" gutterBottom>
        Live sessions
      </Typography>
      <Empty>No live exam sessions right now.</Empty>
    </Box>
  );
}
