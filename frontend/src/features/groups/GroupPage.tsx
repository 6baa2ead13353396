import { useState, type FormEvent } from "react";
import { Box, Button, Stack, TableCell, TableRow, TextField, Typography } from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import {
  useAddMembersV1CohortsCohortIdMembersPostMutation,
  useRemoveMembersV1CohortsCohortIdMembersRemovePostMutation,
  useRenameCohortV1CohortsCohortIdPutMutation,
  type CohortCommandResult,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  queryApi,
  useGetCohortV1CohortsCohortIdGetQuery,
  type CohortDetail,
} from "../../api/queryApi.generated";
import {
  Empty,
  Failed,
  FormPanel,
  Loading,
  pastedEmailProblems,
  pastedEmails,
  RowsTable,
} from "../shared";
import { FOLLOW_MS, useApplied, useGroupsPath } from "./applied";

type Applied = CohortCommandResult & { removed?: string[] };

/** One group: rename it, add students by pasted emails, take students out. */
export default function GroupPage() {
  const { cohortId = "" } = useParams();
  const groups = useGroupsPath();
  // What the page shows now decides whether to poll (read from the cache, not subscribed).
  const shown = queryApi.endpoints.getCohortV1CohortsCohortIdGet.useQueryState({ cohortId });
  const applied = useApplied<Applied>(shown.data ? [shown.data] : undefined);
  const { data, isLoading, error } = useGetCohortV1CohortsCohortIdGetQuery(
    { cohortId },
    { pollingInterval: applied.behind ? FOLLOW_MS : 0, refetchOnMountOrArgChange: true },
  );
  const latest = applied.waiting.at(-1);

  return (
    <Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: "center", mb: 2 }}>
        <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
          {latest?.name ?? data?.name ?? "Group"}
        </Typography>
        <Button component={RouterLink} to={groups}>
          Back to the groups
        </Button>
      </Stack>
      {isLoading ? (
        <Loading what="the group" />
      ) : !data ? (
        <Failed message={problemsOf(error, []).general ?? "This group cannot be read."} />
      ) : (
        <>
          <Stack direction={{ xs: "column", md: "row" }} spacing={2} sx={{ mb: 3 }}>
            <RenameForm key={data.name} cohortId={cohortId} name={data.name} onDone={applied.add} />
            <AddForm cohortId={cohortId} onDone={applied.add} />
          </Stack>
          <Members
            group={data}
            count={latest?.member_count ?? data.member_count}
            updating={applied.behind}
            removed={applied.waiting.flatMap((a) => a.removed ?? [])}
            onDone={applied.add}
          />
        </>
      )}
    </Box>
  );
}

type Done = { cohortId: string; onDone: (answer: Applied) => void };

function RenameForm({ cohortId, name: current, onDone }: Done & { name: string }) {
  const [rename, renaming] = useRenameCohortV1CohortsCohortIdPutMutation();
  const [name, setName] = useState(current);
  const problems = problemsOf(renaming.error, ["name"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await rename({
      cohortId,
      renameIn: { name },
      "Idempotency-Key": newCommandId(),
    });
    if (answer.data) onDone(answer.data);
  }

  return (
    <FormPanel id="rename" title="Name" error={problems.general} onSubmit={submit} sx={{ flex: 1 }}>
      <TextField
        id="group-rename"
        label="Group name"
        required
        fullWidth
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={Boolean(problems.byField.name)}
        helperText={problems.byField.name}
      />
      <Button
        type="submit"
        variant="outlined"
        sx={{ mt: 2 }}
        disabled={renaming.isLoading || name.trim() === current}
      >
        Rename
      </Button>
    </FormPanel>
  );
}

function AddForm({ cohortId, onDone }: Done) {
  const [add, adding] = useAddMembersV1CohortsCohortIdMembersPostMutation();
  const [emails, setEmails] = useState("");
  const [sent, setSent] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const pasted = pastedEmailProblems(problemsOf(adding.error, ["emails"]), sent);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    const list = pastedEmails(emails);
    setSent(list);
    const answer = await add({
      cohortId,
      membersIn: { emails: list },
      "Idempotency-Key": newCommandId(),
    });
    if (answer.data) {
      onDone(answer.data);
      setEmails("");
      setNotice(`Added. The group has ${answer.data.member_count} students.`);
    }
  }

  return (
    <FormPanel
      id="add"
      title="Add students"
      error={pasted.general}
      onSubmit={submit}
      sx={{ flex: 2 }}
    >
      <TextField
        id="group-add-emails"
        label="Student emails (one per line)"
        multiline
        minRows={3}
        fullWidth
        value={emails}
        onChange={(e) => setEmails(e.target.value)}
        error={Boolean(pasted.emails)}
        helperText={pasted.emails}
      />
      <Stack direction="row" spacing={2} sx={{ mt: 2, alignItems: "center" }}>
        <Button
          type="submit"
          variant="outlined"
          disabled={adding.isLoading || !pastedEmails(emails).length}
        >
          Add to the group
        </Button>
        {notice && <Typography role="status">{notice}</Typography>}
      </Stack>
    </FormPanel>
  );
}

function Members({
  group,
  count,
  updating,
  removed,
  onDone,
}: {
  group: CohortDetail;
  count: number;
  updating: boolean;
  removed: string[];
  onDone: (answer: Applied) => void;
}) {
  const [remove, removing] = useRemoveMembersV1CohortsCohortIdMembersRemovePostMutation();
  const members = group.members
    .filter((m) => !removed.includes(m.user_id))
    .sort((a, b) => (a.name ?? a.email ?? "").localeCompare(b.name ?? b.email ?? ""));

  async function onRemove(userId: string) {
    const answer = await remove({
      cohortId: group.cohort_id,
      membersIn: { student_ids: [userId] },
      "Idempotency-Key": newCommandId(),
    });
    if (answer.data) onDone({ ...answer.data, removed: [userId] });
  }

  return (
    <Box component="section" aria-labelledby="members-heading">
      <Typography id="members-heading" component="h2" variant="h6" gutterBottom>
        Students ({count})
      </Typography>
      {updating && (
        <Typography role="status" variant="body2" sx={{ mb: 1 }}>
          Updating the list…
        </Typography>
      )}
      <Failed message={problemsOf(removing.error, []).general} />
      {!members.length ? (
        <Empty>No student in this group yet: add them by their emails.</Empty>
      ) : (
        <RowsTable label="Students of the group" columns={["Name", "Email", "Actions"]}>
          {members.map((m) => {
            const who = m.name ?? m.email ?? m.user_id;
            return (
              <TableRow key={m.user_id}>
                <TableCell>{m.name ?? "—"}</TableCell>
                <TableCell>{m.email ?? "—"}</TableCell>
                <TableCell>
                  <Button
                    size="small"
                    variant="outlined"
                    color="error"
                    disabled={removing.isLoading}
                    onClick={() => onRemove(m.user_id)}
                    aria-label={`Remove ${who} from the group`}
                  >
                    Remove
                  </Button>
                </TableCell>
              </TableRow>
            );
          })}
        </RowsTable>
      )}
    </Box>
  );
}
