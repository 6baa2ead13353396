import { Navigate, Outlet, useLocation } from "react-router";
import type { Role } from "../../api/commandApi.generated";
import { useAppSelector } from "../../app/store";
import { homeOf } from "../../App";

/** Pages of one role: others go to their own home, the signed-out to sign-in (and back). */
export function RequireRole({ role }: { role: Role }) {
  const user = useAppSelector((s) => s.auth.user);
  const location = useLocation();
  if (!user) return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  if (user.role !== role) return <Navigate to={homeOf(user.role)} replace />;
  return <Outlet />;
}

/** Pages of every signed-in role (your account); the signed-out go to sign-in (and back). */
export function RequireSignedIn() {
  const user = useAppSelector((s) => s.auth.user);
  const location = useLocation();
  if (!user) return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  return <Outlet />;
}
