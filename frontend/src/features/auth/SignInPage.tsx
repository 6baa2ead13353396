import { useState, type FormEvent } from "react";
import { Alert, Box, Button, Container, Paper, TextField, Typography } from "@mui/material";
import { Navigate, useLocation, useNavigate } from "react-router";
import { useLoginV1AuthLoginPostMutation, type Role } from "../../api/commandApi.generated";
import { problemsOf } from "../../api/problems";
import { useAppDispatch, useAppSelector } from "../../app/store";
import { homeOf, preloadHome } from "../../App";
import { signedIn } from "./authSlice";

const FIELDS = ["email", "password"] as const;

export function SignInPage() {
  const [login, { isLoading, error }] = useLoginV1AuthLoginPostMutation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const user = useAppSelector((s) => s.auth.user);
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from;
  const problems = problemsOf(error, FIELDS);

  if (user) return <Navigate to={homeOf(user.role)} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = login({ loginIn: { email, password } });
    // The home pages' code loads while the password is checked (it takes a moment, on
    // purpose): the page the user lands on then shows at once. After the login's request,
    // which must not queue behind them for one of the browser's six connections.
    const homes = new Promise((sent) => setTimeout(sent, 0)).then(() => preloadHome());
    const answer = await checked;
    if ("data" in answer && answer.data) {
      const { access_token, refresh_token, user } = answer.data;
      if (!from) await homes;
      dispatch(
        signedIn({
          accessToken: access_token,
          refreshToken: refresh_token,
          user: { ...user, role: user.role as Role },
        }),
      );
      navigate(from ?? homeOf(user.role), { replace: true });
    }
  }

  return (
    <Container component="main" maxWidth="xs" sx={{ mt: 10 }}>
      <Paper sx={{ p: 4 }} elevation={2}>
        <Typography component="h1" variant="h5" gutterBottom>
          Sign in to SOEMS
        </Typography>
        <Box component="form" onSubmit={submit} noValidate aria-label="Sign in">
          {problems.general && (
            <Alert severity="error" sx={{ mb: 2 }} role="alert">
              {problems.general}
            </Alert>
          )}
          <TextField
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={Boolean(problems.byField.email)}
            helperText={problems.byField.email}
            required
            fullWidth
            margin="normal"
            autoFocus
          />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={Boolean(problems.byField.password)}
            helperText={problems.byField.password}
            required
            fullWidth
            margin="normal"
          />
          <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={isLoading}>
            {isLoading ? "Signing in…" : "Sign in"}
          </Button>
        </Box>
      </Paper>
    </Container>
  );
}
