import { useState, type FormEvent } from "react";
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Link,
  Snackbar,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { Link as RouterLink } from "react-router";
import {
  useCreateCohortV1CohortsPostMutation,
  type CohortCommandResult,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import { queryApi, useListCohortsV1CohortsGetQuery } from "../../api/queryApi.generated";
import { useAppSelector } from "../../app/store";
import {
  Empty,
  Failed,
  Loading,
  Pager,
  RowsTable,
  SearchField,
  pastedEmailProblems,
  pastedEmails,
  useDebounced,
  usePaging,
} from "../shared";
import { FOLLOW_MS, useApplied, useGroupsPath } from "./applied";

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** Groups of students (cohorts): admins see every group, a teacher the groups they keep. */
export default function GroupsPage() {
  const admin = useAppSelector((s) => s.auth.user?.role) === "admin";
  const groups = useGroupsPath();
  const [text, setText] = useState("");
  const paging = usePaging();
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const q = useDebounced(text);
  const args = { q: q || undefined, mine: !admin, ...paging.query };
  // What the list shows now decides whether to poll it (read from the cache, not subscribed).
  const listed = queryApi.endpoints.listCohortsV1CohortsGet.useQueryState(args);
  const created = useApplied<CohortCommandResult>(listed.data?.items);
  const { data, isLoading, isFetching, error } = useListCohortsV1CohortsGetQuery(args, {
    pollingInterval: created.behind ? FOLLOW_MS : 0,
    refetchOnMountOrArgChange: true,
  });
  // A group just created shows at once; the list follows within a moment.
  const fresh = paging.page === 0 && !q ? created.waiting : [];
  const rows = [
    ...fresh.map((c) => ({ ...c, updated_at: null as string | null })),
    ...(data?.items ?? []),
  ];

  return (
    <Box>
      <Box sx={{ display: "flex", alignItems: "center", mb: 2 }}>
        <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
          Groups
        </Typography>
        <Button variant="contained" onClick={() => setCreating(true)}>
          New group
        </Button>
      </Box>
      <Typography sx={{ mb: 2 }}>
        {admin
          ? "Every group of students. Teachers assign an exam to a whole group at once."
          : "The groups of students you keep. Assign an exam to a whole group at once."}
      </Typography>
      <Box component="search" aria-label="Find groups" sx={{ mb: 2 }}>
        <SearchField label="Search groups by name" text={text} setText={setText} paging={paging} />
      </Box>
      <Failed message={problemsOf(error, []).general} />
      {isLoading ? (
        <Loading what="groups" />
      ) : !rows.length ? (
        <Empty>{q ? "No group matches this name." : "No group yet: make the first one."}</Empty>
      ) : (
        <RowsTable
          label="Groups"
          columns={["Name", "Students", "Last changed"]}
          busy={isFetching}
          footer={data && <Pager total={data.total} paging={paging} />}
        >
          {rows.map((c) => (
            <TableRow key={c.cohort_id}>
              <TableCell>
                <Link
                  component={RouterLink}
                  to={`${groups}/${c.cohort_id}`}
                  aria-label={`Manage ${c.name}`}
                >
                  {c.name}
                </Link>
              </TableCell>
              <TableCell>{c.member_count}</TableCell>
              <TableCell>
                {c.updated_at ? new Date(c.updated_at).toLocaleString() : "just now"}
              </TableCell>
            </TableRow>
          ))}
        </RowsTable>
      )}
      <CreateGroupDialog
        open={creating}
        onClose={(answer) => {
          setCreating(false);
          if (answer) {
            created.add(answer);
            setNotice(`${answer.name} is made, with ${plural(answer.member_count, "student")}.`);
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

function CreateGroupDialog({
  open,
  onClose,
}: {
  open: boolean;
  onClose: (created: CohortCommandResult | null) => void;
}) {
  const [create, { isLoading, error, reset }] = useCreateCohortV1CohortsPostMutation();
  const [name, setName] = useState("");
  const [emails, setEmails] = useState("");
  const [sent, setSent] = useState<string[]>([]);
  const problems = problemsOf(error, ["name", "emails"]);
  const pasted = pastedEmailProblems(problems, sent);

  function close(created: CohortCommandResult | null) {
    setName("");
    setEmails("");
    reset();
    onClose(created);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const list = pastedEmails(emails);
    setSent(list);
    const answer = await create({
      cohortIn: { name, emails: list },
      "Idempotency-Key": newCommandId(),
    });
    if (answer.data) close(answer.data);
  }

  return (
    <Dialog
      open={open}
      onClose={() => close(null)}
      aria-labelledby="new-group-title"
      maxWidth="sm"
      fullWidth
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="new-group-title">New group</DialogTitle>
        <DialogContent>
          <Failed message={pasted.general} />
          <TextField
            id="group-name"
            label="Name"
            autoFocus
            required
            fullWidth
            margin="dense"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={Boolean(problems.byField.name)}
            helperText={problems.byField.name}
          />
          <TextField
            id="group-emails"
            label="Student emails (one per line)"
            multiline
            minRows={4}
            fullWidth
            margin="dense"
            value={emails}
            onChange={(e) => setEmails(e.target.value)}
            error={Boolean(pasted.emails)}
            helperText={pasted.emails ?? "Optional: students can be added later too."}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => close(null)}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={isLoading}>
            Create the group
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
