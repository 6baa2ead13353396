import { useState } from "react";
import {
  Alert,
  Box,
  Button,
  FormControl,
  InputLabel,
  MenuItem,
  Paper,
  Select,
  Snackbar,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import {
  useChangeRoleV1UsersUserIdRolePutMutation,
  useDisableUserV1UsersUserIdDisablePostMutation,
  useEnableUserV1UsersUserIdEnablePostMutation,
  type Role,
  type UserOut,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  queryApi,
  useListUsersV1UsersGetQuery,
  type ListUsersV1UsersGetApiArg,
} from "../../api/queryApi.generated";
import { useAppDispatch, useAppSelector } from "../../app/store";
import { Empty, Failed, Loading, Pager, SearchField, useDebounced, usePaging } from "../shared";
import { CreateUserDialog } from "./CreateUserDialog";
import { ImportUsersDialog } from "./ImportUsersDialog";

export const ROLES: Role[] = ["student", "teacher", "proctor", "analyst", "admin"];

export default function UsersPage() {
  const me = useAppSelector((s) => s.auth.user);
  const dispatch = useAppDispatch();
  const [text, setText] = useState("");
  const [role, setRole] = useState<Role | "">("");
  const [state, setState] = useState<"" | "enabled" | "disabled">("");
  const paging = usePaging();
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const q = useDebounced(text);
  const args: ListUsersV1UsersGetApiArg = {
    q: q || undefined,
    role: role || undefined,
    disabled: state === "" ? undefined : state === "disabled",
    ...paging.query,
  };
  const { data, isLoading, isFetching, error } = useListUsersV1UsersGetQuery(args);
  const [changeRole, changing] = useChangeRoleV1UsersUserIdRolePutMutation();
  const [disable, disabling] = useDisableUserV1UsersUserIdDisablePostMutation();
  const [enable, enabling] = useEnableUserV1UsersUserIdEnablePostMutation();
  const failure = [changing.error, disabling.error, enabling.error, error]
    .map((e) => problemsOf(e, []).general)
    .find(Boolean);

  // The command's answer is the truth at once; the read model follows within a moment, so
  // the row is patched from the answer rather than re-read too early.
  function show(user: UserOut) {
    dispatch(
      queryApi.util.updateQueryData("listUsersV1UsersGet", args, (page) => {
        const row = page.items.find((item) => item.user_id === user.user_id);
        if (row) Object.assign(row, { role: user.role, disabled: user.disabled ?? false });
      }),
    );
  }

  // The users read model shows new accounts within a moment. Not the hook's refetch: the page
  // may be gone by then.
  function refreshSoon() {
    setTimeout(() => {
      dispatch(
        queryApi.endpoints.listUsersV1UsersGet.initiate(args, {
          forceRefetch: true,
          subscribe: false,
        }),
      );
    }, 1000);
  }

  async function onRole(userId: string, next: Role) {
    const answer = await changeRole({
      userId,
      roleIn: { role: next },
      "Idempotency-Key": newCommandId(),
    });
    if (answer.data) {
      show(answer.data);
      setNotice(`${answer.data.name} is now ${answer.data.role}.`);
    }
  }

  async function onToggle(userId: string, disabled: boolean) {
    const key = newCommandId();
    const answer = disabled
      ? await enable({ userId, "Idempotency-Key": key })
      : await disable({ userId, disableIn: {}, "Idempotency-Key": key });
    if (answer.data) {
      show(answer.data);
      setNotice(`${answer.data.name} is ${answer.data.disabled ? "disabled" : "enabled"}.`);
    }
  }

  return (
    <Box>
      <Box sx={{ display: "flex", alignItems: "center", mb: 2 }}>
        <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
          Users
        </Typography>
        <Stack direction="row" spacing={2}>
          <Button variant="outlined" onClick={() => setImporting(true)}>
            Import accounts (CSV)
          </Button>
          <Button variant="contained" onClick={() => setCreating(true)}>
            Create user
          </Button>
        </Stack>
      </Box>
      <Box
        component="search"
        aria-label="Filter users"
        sx={{ display: "flex", gap: 2, mb: 2, flexWrap: "wrap" }}
      >
        <SearchField
          label="Search by name or email"
          text={text}
          setText={setText}
          paging={paging}
        />
        <FormControl size="small" sx={{ minWidth: 160 }}>
          <InputLabel id="role-filter-label">Role</InputLabel>
          <Select
            labelId="role-filter-label"
            label="Role"
            value={role}
            onChange={(e) => {
              setRole(e.target.value as Role | "");
              paging.setPage(0);
            }}
          >
            <MenuItem value="">Any role</MenuItem>
            {ROLES.map((r) => (
              <MenuItem key={r} value={r}>
                {r}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl size="small" sx={{ minWidth: 160 }}>
          <InputLabel id="state-filter-label">Status</InputLabel>
          <Select
            labelId="state-filter-label"
            label="Status"
            value={state}
            onChange={(e) => {
              setState(e.target.value as typeof state);
              paging.setPage(0);
            }}
          >
            <MenuItem value="">Any status</MenuItem>
            <MenuItem value="enabled">Enabled</MenuItem>
            <MenuItem value="disabled">Disabled</MenuItem>
          </Select>
        </FormControl>
      </Box>
      <Failed message={failure ?? null} />
      {isLoading ? (
        <Loading what="users" />
      ) : !data?.items.length ? (
        <Empty>No user matches these filters.</Empty>
      ) : (
        <Paper>
          <TableContainer>
            <Table size="small" aria-label="Users" aria-busy={isFetching}>
              <TableHead>
                <TableRow>
                  <TableCell component="th" scope="col">
                    Name
                  </TableCell>
                  <TableCell component="th" scope="col">
                    Email
                  </TableCell>
                  <TableCell component="th" scope="col">
                    Role
                  </TableCell>
                  <TableCell component="th" scope="col">
                    Status
                  </TableCell>
                  <TableCell component="th" scope="col">
                    Actions
                  </TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((user) => {
                  const self = user.user_id === me?.user_id;
                  return (
                    <TableRow key={user.user_id}>
                      <TableCell>{user.name}</TableCell>
                      <TableCell>{user.email}</TableCell>
                      <TableCell>
                        <Select
                          size="small"
                          value={user.role}
                          disabled={self}
                          inputProps={{ "aria-label": `Role of ${user.name}` }}
                          onChange={(e) => onRole(user.user_id, e.target.value as Role)}
                        >
                          {ROLES.map((r) => (
                            <MenuItem key={r} value={r}>
                              {r}
                            </MenuItem>
                          ))}
                        </Select>
                      </TableCell>
                      <TableCell>{user.disabled ? "Disabled" : "Enabled"}</TableCell>
                      <TableCell>
                        <Button
                          size="small"
                          variant="outlined"
                          color={user.disabled ? "primary" : "error"}
                          disabled={self}
                          onClick={() => onToggle(user.user_id, user.disabled)}
                          aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.name}`}
                        >
                          {user.disabled ? "Enable" : "Disable"}
                        </Button>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </TableContainer>
          <Pager total={data.total} paging={paging} />
        </Paper>
      )}
      <CreateUserDialog
        open={creating}
        onClose={(created) => {
          setCreating(false);
          if (created) {
            setNotice(`${created.name} can now sign in as ${created.role}.`);
            refreshSoon();
          }
        }}
      />
      <ImportUsersDialog
        open={importing}
        onClose={(imported) => {
          setImporting(false);
          if (imported) {
            const skipped = imported.skipped.length
              ? ` (rows left out: ${imported.skipped.join(", ")})`
              : "";
            setNotice(
              `${imported.created} account${imported.created === 1 ? "" : "s"} created${skipped}.`,
            );
            refreshSoon();
          }
        }}
      />
      <Snackbar open={Boolean(notice)} autoHideDuration={5000} onClose={() => setNotice(null)}>
        <Alert severity="success" onClose={() => setNotice(null)} role="status">
          {notice}
        </Alert>
      </Snackbar>
    </Box>
  );
}
