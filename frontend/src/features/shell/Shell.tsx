import {
  AppBar,
  Box,
  Button,
  Drawer,
  LinearProgress,
  Link,
  List,
  ListItem,
  ListItemButton,
  ListItemText,
  Toolbar,
  Typography,
} from "@mui/material";
import { Suspense, useEffect } from "react";
import { NavLink, Outlet, useNavigate } from "react-router";
import { baseApi } from "../../api/base";
import { useLogoutV1AuthLogoutPostMutation } from "../../api/commandApi.generated";
import { installOfflineShell } from "../../app/offline";
import { useAppDispatch, useAppSelector } from "../../app/store";
import { signedOut } from "../auth/authSlice";

const NAVIGATION: Record<string, { to: string; label: string }[]> = {
  admin: [
    { to: "/admin/users", label: "Users" },
    { to: "/admin/questions", label: "Question bank" },
    { to: "/admin/groups", label: "Groups" },
  ],
  teacher: [
    { to: "/teacher", label: "Dashboard" },
    { to: "/teacher/questions", label: "Question bank" },
    { to: "/teacher/groups", label: "Groups" },
  ],
  student: [
    { to: "/student", label: "My exams" },
    { to: "/student/progress", label: "My progress" },
  ],
  proctor: [{ to: "/proctor", label: "Live sessions" }],
  analyst: [{ to: "/analyst", label: "Exams" }],
};
// Every role's last entry: choices about email, and the emails sent.
const ACCOUNT = { to: "/account", label: "Account" };
const WIDTH = 220;
// A role's home (/teacher) is matched exactly ("end"): it is not active on /teacher/questions.

/** The frame of every signed-in page: a skip link, the top bar and the role's navigation. */
export function Shell() {
  const { user, refreshToken } = useAppSelector((s) => s.auth);
  const [logout] = useLogoutV1AuthLogoutPostMutation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  useEffect(installOfflineShell, []);

  async function signOut() {
    // The server ends the session even if this tab forgets it first; a failure still signs out.
    await logout({ logoutIn: { refresh_token: refreshToken } });
    dispatch(signedOut());
    dispatch(baseApi.util.resetApiState());
    navigate("/signin", { replace: true });
  }

  return (
    <Box sx={{ display: "flex" }}>
      <Link
        href="#main"
        sx={{
          position: "absolute",
          left: -9999,
          "&:focus": { left: 8, top: 8, zIndex: 2000, bgcolor: "background.paper", p: 1 },
        }}
      >
        Skip to main content
      </Link>
      <AppBar position="fixed" sx={{ zIndex: (t) => t.zIndex.drawer + 1 }}>
        <Toolbar>
          <Typography variant="h6" component="p" sx={{ flexGrow: 1 }}>
            SOEMS
          </Typography>
          <Typography component="p" sx={{ mr: 2 }}>
            {user?.name} ({user?.role})
          </Typography>
          <Button color="inherit" variant="outlined" onClick={signOut}>
            Sign out
          </Button>
        </Toolbar>
      </AppBar>
      <Drawer
        variant="permanent"
        sx={{ width: WIDTH, "& .MuiDrawer-paper": { width: WIDTH, boxSizing: "border-box" } }}
      >
        <Toolbar />
        <nav aria-label="Main">
          <List>
            {[...(NAVIGATION[user?.role ?? ""] ?? []), ACCOUNT].map((item) => (
              <ListItem key={item.to} disablePadding>
                <ListItemButton
                  component={NavLink}
                  to={item.to}
                  end={item.to.split("/").length === 2}
                  sx={{ "&.active": { bgcolor: "action.selected", fontWeight: 600 } }}
                >
                  <ListItemText primary={item.label} />
                </ListItemButton>
              </ListItem>
            ))}
          </List>
        </nav>
      </Drawer>
      <Box component="main" id="main" tabIndex={-1} sx={{ flexGrow: 1, p: 3, minWidth: 0 }}>
        <Toolbar />
        <Suspense fallback={<LinearProgress aria-label="Loading the page" />}>
          <Outlet />
        </Suspense>
      </Box>
    </Box>
  );
}
