import { useState, type FormEvent } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
} from "@mui/material";
import {
  useCreateUserV1UsersPostMutation,
  type Role,
  type UserOut,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import { Failed } from "../shared";
import { ROLES } from "./UsersPage";

const FIELDS = ["email", "name", "password", "role"] as const;

export function CreateUserDialog({
  open,
  onClose,
}: {
  open: boolean;
  onClose: (created: UserOut | null) => void;
}) {
  const [create, { isLoading, error, reset }] = useCreateUserV1UsersPostMutation();
  const [form, setForm] = useState({ email: "", name: "", password: "", role: "student" as Role });
  const problems = problemsOf(error, FIELDS);

  function close(created: UserOut | null) {
    setForm({ email: "", name: "", password: "", role: "student" });
    reset();
    onClose(created);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await create({ createUserIn: form, "Idempotency-Key": newCommandId() });
    if (answer.data) close(answer.data);
  }

  const field = (name: (typeof FIELDS)[number]) => ({
    name,
    value: form[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setForm({ ...form, [name]: e.target.value }),
    error: Boolean(problems.byField[name]),
    helperText: problems.byField[name],
    fullWidth: true,
    margin: "dense" as const,
    required: true,
  });

  return (
    <Dialog open={open} onClose={() => close(null)} aria-labelledby="create-user-title">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="create-user-title">Create a user</DialogTitle>
        <DialogContent>
          <Failed message={problems.general} />
          <TextField label="Name" autoFocus {...field("name")} />
          <TextField label="Email" type="email" {...field("email")} />
          <TextField
            label="Initial password"
            type="password"
            autoComplete="new-password"
            {...field("password")}
          />
          <TextField select label="Role" {...field("role")}>
            {ROLES.map((r) => (
              <MenuItem key={r} value={r}>
                {r}
              </MenuItem>
            ))}
          </TextField>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => close(null)}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={isLoading}>
            Create
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
