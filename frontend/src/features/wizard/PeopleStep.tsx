import { useState, type FormEvent } from "react";
import {
  Alert,
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  FormGroup,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import {
  useAssignStudentsV1ExamsExamIdAssignPostMutation,
  useChangeExamSettingsV1ExamsExamIdSettingsPutMutation,
  useGrantAccommodationV1ExamsExamIdAccommodationsStudentIdPutMutation,
  useUnassignStudentsV1ExamsExamIdUnassignPostMutation,
  useWithdrawAccommodationV1ExamsExamIdAccommodationsStudentIdDeleteMutation,
  type AccommodationIn,
  type ExamCommandResult,
  type SettingsIn,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  useListAssignmentsV1ExamsExamIdAssignmentsGetQuery,
  useListCohortsV1CohortsGetQuery,
  type Assignment,
} from "../../api/queryApi.generated";
import { formatMoment, fromLocalInput, toLocalInput, userTimeZone } from "../../time";
import {
  Empty,
  Failed,
  FormPanel,
  Loading,
  pastedEmailProblems,
  pastedEmails,
  useDebounced,
} from "../shared";

const HIDDEN = {
  position: "absolute",
  width: "1px",
  height: "1px",
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;

export const DETECTORS = ["face", "identity", "gaze", "phone", "people", "voice", "tab_switch"];

export type SettingsForm = {
  late_entry_minutes: string;
  attempts_allowed: string;
  navigation: "free" | "linear";
  results_release: "when_graded" | "after_window" | "when_published";
  pass_mark_percent: string;
  grade_bands: string; // "A 85, B 70, C 50, F 0"
  proctoring: boolean;
  detectors: string[];
};

type Band = { letter: string; min_percent: number };

/** "A 85, B+ 78, F 0" as bands, or the first part that does not read as "letter percent". */
export function parseBands(text: string): { bands: Band[]; wrong: string | null } {
  const bands: Band[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const found = /^(\S+)\s+(\d+(?:\.\d+)?)\s*%?$/.exec(part);
    if (!found) return { bands: [], wrong: part };
    bands.push({ letter: found[1]!, min_percent: Number(found[2]) });
  }
  return { bands, wrong: null };
}

export function formatBands(bands: Band[] | undefined): string {
  return (bands ?? []).map((b) => `${b.letter} ${b.min_percent}`).join(", ");
}

export function settingsFormOf(
  stored: { [key: string]: unknown } | null | undefined,
): SettingsForm {
  const s = (stored ?? {}) as Partial<SettingsIn>;
  return {
    late_entry_minutes: s.late_entry_minutes == null ? "" : String(s.late_entry_minutes),
    attempts_allowed: String(s.attempts_allowed ?? 1),
    navigation: s.navigation ?? "free",
    results_release: s.results_release ?? "when_published",
    pass_mark_percent: s.pass_mark_percent == null ? "" : String(s.pass_mark_percent),
    grade_bands: formatBands(s.grade_bands),
    proctoring: s.proctoring?.enabled ?? false,
    detectors: s.proctoring?.detectors ?? [],
  };
}

const SETTING_FIELDS = [
  "late_entry_minutes",
  "attempts_allowed",
  "navigation",
  "results_release",
  "pass_mark_percent",
  "grade_bands",
  // A band's own problem names its place: "grade_bands.2.letter".
  ...Array.from({ length: 20 }, (_, n) => [
    `grade_bands.${n}.letter`,
    `grade_bands.${n}.min_percent`,
  ]).flat(),
  "proctoring.detectors",
  "proctoring.enabled",
];
const ASSIGN_FIELDS = ["emails", "cohort_ids", "student_ids"];
const ACCOMMODATION_FIELDS = [
  "extra_minutes",
  "extra_percent",
  "reason",
  "window_opens_at",
  "window_closes_at",
] as const;
type AccommodationField = (typeof ACCOMMODATION_FIELDS)[number];

const optional = (value: string) => (value.trim() === "" ? null : Number(value));

export function PeopleStep({
  examId,
  ifMatch,
  form,
  setForm,
  onApplied,
  onDone,
}: {
  examId: string;
  ifMatch: string | null;
  form: SettingsForm;
  setForm: (form: SettingsForm) => void;
  onApplied: (result: ExamCommandResult) => void;
  onDone: () => void;
}) {
  const [change, changing] = useChangeExamSettingsV1ExamsExamIdSettingsPutMutation();
  const [saved, setSaved] = useState(false);
  const [unreadBand, setUnreadBand] = useState<string | null>(null);
  const refused = problemsOf(changing.error, SETTING_FIELDS);
  // The server names a band by its place (grade_bands.1.letter): shown on the one field.
  const bandProblem =
    unreadBand ??
    Object.entries(refused.byField).find(([name]) => name.startsWith("grade_bands"))?.[1];
  const byField: Record<string, string> = { ...refused.byField };
  if (bandProblem) byField.grade_bands = bandProblem;
  const problems = { ...refused, byField };

  async function saveSettings(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const { bands, wrong } = parseBands(form.grade_bands);
    setUnreadBand(wrong && `"${wrong}" is not a letter and a percent, like "B 70"`);
    if (wrong) return;
    const answer = await change({
      examId,
      "Idempotency-Key": newCommandId(),
      "If-Match": ifMatch,
      settingsIn: {
        late_entry_minutes: optional(form.late_entry_minutes),
        attempts_allowed: Number(form.attempts_allowed),
        navigation: form.navigation,
        results_release: form.results_release,
        pass_mark_percent: optional(form.pass_mark_percent),
        grade_bands: bands,
        proctoring: { enabled: form.proctoring, detectors: form.proctoring ? form.detectors : [] },
      },
    });
    if (answer.data) {
      onApplied(answer.data);
      setSaved(true);
    }
  }

  const field = (name: "late_entry_minutes" | "attempts_allowed" | "pass_mark_percent") => ({
    id: `wizard-${name}`,
    value: form[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setForm({ ...form, [name]: e.target.value }),
    error: Boolean(problems.byField[name]),
    helperText: problems.byField[name],
    size: "small" as const,
    type: "number",
  });

  return (
    <Box>
      <Box component="form" onSubmit={saveSettings} noValidate aria-labelledby="settings-heading">
        <Typography id="settings-heading" component="h3" variant="h6" gutterBottom>
          Settings
        </Typography>
        <Failed message={problems.general} />
        <Box
          sx={{
            display: "grid",
            gap: 2,
            gridTemplateColumns: { xs: "1fr", md: "repeat(3, 1fr)" },
          }}
        >
          <TextField
            label="Late entry (minutes, blank for none)"
            {...field("late_entry_minutes")}
          />
          <TextField label="Attempts allowed" {...field("attempts_allowed")} />
          <TextField label="Pass mark (%, blank for none)" {...field("pass_mark_percent")} />
          <TextField
            id="wizard-grade_bands"
            label="Grades (blank for none)"
            placeholder="A 85, B 70, C 50, F 0"
            size="small"
            value={form.grade_bands}
            onChange={(e) => setForm({ ...form, grade_bands: e.target.value })}
            error={Boolean(problems.byField.grade_bands)}
            helperText={problems.byField.grade_bands ?? "Letter and from %: A 85, B 70, F 0"}
          />
          <TextField
            select
            id="wizard-navigation"
            label="Navigation"
            size="small"
            value={form.navigation}
            onChange={(e) => setForm({ ...form, navigation: e.target.value as "free" })}
            error={Boolean(problems.byField.navigation)}
            helperText={problems.byField.navigation}
            slotProps={{ select: { native: true } }}
          >
            <option value="free">Free: any question in any order</option>
            <option value="linear">Linear: no going back</option>
          </TextField>
          <TextField
            select
            id="wizard-results_release"
            label="Results released"
            size="small"
            value={form.results_release}
            onChange={(e) =>
              setForm({
                ...form,
                results_release: e.target.value as SettingsForm["results_release"],
              })
            }
            error={Boolean(problems.byField.results_release)}
            helperText={problems.byField.results_release}
            slotProps={{ select: { native: true } }}
          >
            <option value="when_published">When I publish them</option>
            <option value="when_graded">As soon as graded</option>
            <option value="after_window">After the window closes</option>
          </TextField>
        </Box>
        <FormControlLabel
          sx={{ mt: 1 }}
          control={
            <Switch
              checked={form.proctoring}
              onChange={(e) => setForm({ ...form, proctoring: e.target.checked })}
            />
          }
          label="Proctored"
        />
        {form.proctoring && (
          <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
            <Typography component="legend" variant="body2">
              Detectors
            </Typography>
            <FormGroup row>
              {DETECTORS.map((d) => (
                <FormControlLabel
                  key={d}
                  label={d.replace("_", " ")}
                  control={
                    <Checkbox
                      checked={form.detectors.includes(d)}
                      onChange={(e) =>
                        setForm({
                          ...form,
                          detectors: e.target.checked
                            ? [...form.detectors, d]
                            : form.detectors.filter((x) => x !== d),
                        })
                      }
                    />
                  }
                />
              ))}
            </FormGroup>
            {problems.byField["proctoring.detectors"] && (
              <Typography color="error" variant="body2">
                {problems.byField["proctoring.detectors"]}
              </Typography>
            )}
          </Box>
        )}
        <Stack direction="row" spacing={2} sx={{ mt: 1, alignItems: "center" }}>
          <Button type="submit" variant="outlined" disabled={changing.isLoading}>
            Save the settings
          </Button>
          {saved && <Typography role="status">The settings are saved.</Typography>}
        </Stack>
      </Box>
      <AssignForm examId={examId} onApplied={onApplied} />
      <Assigned examId={examId} onApplied={onApplied} />
      <Box sx={{ mt: 3 }}>
        <Button variant="contained" onClick={onDone}>
          Continue to the review
        </Button>
      </Box>
    </Box>
  );
}

export function AssignForm({
  examId,
  onApplied,
}: {
  examId: string;
  onApplied: (result: ExamCommandResult) => void;
}) {
  const [assign, assigning] = useAssignStudentsV1ExamsExamIdAssignPostMutation();
  // Your own groups, or any group found by name (an admin's course groups, a colleague's).
  const [groupText, setGroupText] = useState("");
  const groupQuery = useDebounced(groupText.trim());
  const cohorts = useListCohortsV1CohortsGetQuery(
    groupQuery ? { q: groupQuery, perPage: 20 } : { mine: true, perPage: 100 },
  );
  const [emails, setEmails] = useState("");
  const [chosen, setChosen] = useState<Record<string, string>>({}); // id -> its label
  const cohortIds = Object.keys(chosen);
  const groups = [
    ...Object.entries(chosen).map(([cohort_id, label]) => ({ cohort_id, label })),
    ...(cohorts.data?.items ?? [])
      .filter((c) => !(c.cohort_id in chosen))
      .map((c) => ({ cohort_id: c.cohort_id, label: `${c.name} (${c.member_count})` })),
  ];
  const [notice, setNotice] = useState<string | null>(null);
  const [sent, setSent] = useState<string[]>([]);
  const problems = problemsOf(assigning.error, ASSIGN_FIELDS);
  // A refusal may name one pasted line (emails.2): show it under the list.
  const { emails: emailError, general } = pastedEmailProblems(problems, sent);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    const list = pastedEmails(emails);
    setSent(list);
    const answer = await assign({
      examId,
      "Idempotency-Key": newCommandId(),
      assignIn: { emails: list, cohort_ids: cohortIds },
    });
    if (answer.data) {
      onApplied(answer.data);
      setEmails("");
      setChosen({});
      setNotice(`Assigned. ${answer.data.assigned_count} student(s) are assigned to this exam.`);
    }
  }

  return (
    <FormPanel
      id="assign"
      title="Assign students"
      heading="h3"
      error={general}
      onSubmit={submit}
      sx={{ mt: 3 }}
    >
      <TextField
        id="wizard-emails"
        label="Student emails (one per line)"
        multiline
        minRows={3}
        fullWidth
        value={emails}
        onChange={(e) => setEmails(e.target.value)}
        error={Boolean(emailError)}
        helperText={emailError}
      />
      <Box component="fieldset" sx={{ border: 0, p: 0, mt: 2, mb: 0 }}>
        <Typography component="legend" variant="body2">
          Groups
        </Typography>
        <TextField
          id="wizard-group-search"
          label="Find a group by name"
          size="small"
          value={groupText}
          onChange={(e) => setGroupText(e.target.value)}
          sx={{ mt: 1, mb: 1, minWidth: 280 }}
        />
        {cohorts.isLoading ? (
          <Loading what="the groups" />
        ) : !groups.length ? (
          <Typography variant="body2" color="text.secondary">
            {groupQuery
              ? "No group has that name."
              : "You have no groups (make one under Groups, or find one by name)."}
          </Typography>
        ) : (
          <FormGroup row>
            {groups.map((g) => (
              <FormControlLabel
                key={g.cohort_id}
                label={g.label}
                control={
                  <Checkbox
                    checked={g.cohort_id in chosen}
                    onChange={(e) => {
                      const next = { ...chosen };
                      if (e.target.checked) next[g.cohort_id] = g.label;
                      else delete next[g.cohort_id];
                      setChosen(next);
                    }}
                  />
                }
              />
            ))}
          </FormGroup>
        )}
        {problems.byField.cohort_ids && (
          <Typography color="error" variant="body2">
            {problems.byField.cohort_ids}
          </Typography>
        )}
      </Box>
      <Stack direction="row" spacing={2} sx={{ mt: 2, alignItems: "center" }}>
        <Button
          type="submit"
          variant="outlined"
          disabled={assigning.isLoading || (!emails.trim() && !cohortIds.length)}
        >
          Assign
        </Button>
        {notice && <Typography role="status">{notice}</Typography>}
      </Stack>
    </FormPanel>
  );
}

function describe(a: Assignment["accommodation"]): string {
  if (!a) return "none";
  const parts = [];
  if (a.extra_minutes) parts.push(`+${a.extra_minutes} minutes`);
  if (a.extra_percent) parts.push(`+${a.extra_percent}%`);
  if (a.window_opens_at || a.window_closes_at) {
    parts.push(
      `own window ${formatMoment(a.window_opens_at as string | null)} – ${formatMoment(
        a.window_closes_at as string | null,
      )}`,
    );
  }
  return parts.join(", ") || "none";
}

/** The assigned students (the read model follows the commands: polled while shown). */
export function Assigned({
  examId,
  onApplied,
}: {
  examId: string;
  onApplied: (result: ExamCommandResult) => void;
}) {
  const { data, isLoading, error } = useListAssignmentsV1ExamsExamIdAssignmentsGetQuery(
    { examId, perPage: 100 },
    { pollingInterval: 2000, refetchOnMountOrArgChange: true },
  );
  const [editing, setEditing] = useState<string | null>(null);
  const [granted, setGranted] = useState<Record<string, AccommodationIn | null>>({});
  // The list follows the commands within a moment: who was just removed is hidden at once.
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const [unassign, unassigning] = useUnassignStudentsV1ExamsExamIdUnassignPostMutation();

  async function onUnassign(studentId: string, who: string) {
    if (!window.confirm(`Remove ${who} from this exam?`)) return;
    const answer = await unassign({
      examId,
      "Idempotency-Key": newCommandId(),
      unassignIn: { student_ids: [studentId] },
    });
    if (answer.data) {
      onApplied(answer.data);
      setRemoved(new Set([...removed, studentId]));
    }
  }
  const shown = data?.items.filter((a) => !removed.has(a.student_id)) ?? [];

  return (
    <Box component="section" aria-labelledby="assigned-heading" sx={{ mt: 3 }}>
      <Typography id="assigned-heading" component="h3" variant="h6" gutterBottom>
        Assigned students{data ? ` (${data.total})` : ""}
      </Typography>
      <Failed message={problemsOf(error ?? unassigning.error, []).general} />
      {isLoading ? (
        <Loading what="the assigned students" />
      ) : !shown.length ? (
        <Empty>Nobody is assigned yet.</Empty>
      ) : (
        <Table size="small" aria-labelledby="assigned-heading">
          <TableHead>
            <TableRow>
              <TableCell>Student</TableCell>
              <TableCell>Email</TableCell>
              <TableCell>Accommodation</TableCell>
              <TableCell>
                <Box component="span" sx={HIDDEN}>
                  Actions
                </Box>
              </TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {shown.map((a) => {
              const who = a.name || a.email || a.student_id;
              const current = a.student_id in granted ? granted[a.student_id]! : a.accommodation;
              return [
                <TableRow key={a.student_id}>
                  <TableCell>{a.name ?? "—"}</TableCell>
                  <TableCell>{a.email ?? "—"}</TableCell>
                  <TableCell>{describe(current)}</TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      aria-expanded={editing === a.student_id}
                      onClick={() => setEditing(editing === a.student_id ? null : a.student_id)}
                      aria-label={`Accommodation for ${who}`}
                    >
                      Accommodation
                    </Button>
                    <Button
                      size="small"
                      color="error"
                      disabled={unassigning.isLoading}
                      onClick={() => onUnassign(a.student_id, who)}
                      aria-label={`Remove ${who}`}
                    >
                      Remove
                    </Button>
                  </TableCell>
                </TableRow>,
                editing === a.student_id && (
                  <TableRow key={`${a.student_id}-editor`}>
                    <TableCell colSpan={4}>
                      <AccommodationEditor
                        examId={examId}
                        who={who}
                        studentId={a.student_id}
                        current={current}
                        onSaved={(result, value) => {
                          onApplied(result);
                          setGranted({ ...granted, [a.student_id]: value });
                          setEditing(null);
                        }}
                      />
                    </TableCell>
                  </TableRow>
                ),
              ];
            })}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

function AccommodationEditor({
  examId,
  studentId,
  who,
  current,
  onSaved,
}: {
  examId: string;
  studentId: string;
  who: string;
  current: Assignment["accommodation"];
  onSaved: (result: ExamCommandResult, value: AccommodationIn | null) => void;
}) {
  const [grant, granting] = useGrantAccommodationV1ExamsExamIdAccommodationsStudentIdPutMutation();
  const [withdraw, withdrawing] =
    useWithdrawAccommodationV1ExamsExamIdAccommodationsStudentIdDeleteMutation();
  const [form, setForm] = useState({
    extra_minutes: String(current?.extra_minutes ?? 0),
    extra_percent: String(current?.extra_percent ?? 0),
    reason: String(current?.reason ?? ""),
    window_opens_at: toLocalInput(current?.window_opens_at as string | undefined),
    window_closes_at: toLocalInput(current?.window_closes_at as string | undefined),
  });
  const problems = problemsOf(granting.error ?? withdrawing.error, ACCOMMODATION_FIELDS);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value: AccommodationIn = {
      extra_minutes: Number(form.extra_minutes || 0),
      extra_percent: Number(form.extra_percent || 0),
      reason: form.reason.trim() || null,
      window_opens_at: fromLocalInput(form.window_opens_at),
      window_closes_at: fromLocalInput(form.window_closes_at),
    };
    const answer = await grant({
      examId,
      studentId,
      "Idempotency-Key": newCommandId(),
      accommodationIn: value,
    });
    if (answer.data) onSaved(answer.data, value);
  }

  async function remove() {
    const answer = await withdraw({ examId, studentId, "Idempotency-Key": newCommandId() });
    if (answer.data) onSaved(answer.data, null);
  }

  const field = (name: AccommodationField, label: string) => ({
    id: `wizard-accommodation-${studentId}-${name}`,
    label,
    value: form[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setForm({ ...form, [name]: e.target.value }),
    error: Boolean(problems.byField[name]),
    helperText: problems.byField[name],
    size: "small" as const,
  });

  return (
    <Box component="form" onSubmit={submit} noValidate aria-label={`Accommodation for ${who}`}>
      {problems.general && (
        <Alert severity="error" role="alert" sx={{ mb: 1 }}>
          {problems.general}
        </Alert>
      )}
      <Stack direction={{ xs: "column", md: "row" }} spacing={2} sx={{ alignItems: "flex-start" }}>
        <TextField type="number" {...field("extra_minutes", "Extra minutes")} />
        <TextField type="number" {...field("extra_percent", "Extra time (%)")} />
        <TextField sx={{ flexGrow: 1 }} {...field("reason", "Reason (staff only)")} />
      </Stack>
      <Typography variant="body2" sx={{ mt: 2, mb: 1 }}>
        An own window replaces the exam's for this student (times in {userTimeZone()}); leave both
        empty to keep the exam's.
      </Typography>
      <Stack direction={{ xs: "column", md: "row" }} spacing={2} sx={{ alignItems: "flex-start" }}>
        <TextField
          type="datetime-local"
          slotProps={{ inputLabel: { shrink: true } }}
          {...field("window_opens_at", "Own window opens")}
        />
        <TextField
          type="datetime-local"
          slotProps={{ inputLabel: { shrink: true } }}
          {...field("window_closes_at", "Own window closes")}
        />
        <Button type="submit" variant="contained" disabled={granting.isLoading}>
          Save the accommodation
        </Button>
        {current && (
          <Button color="error" onClick={remove} disabled={withdrawing.isLoading}>
            Withdraw
          </Button>
        )}
      </Stack>
    </Box>
  );
}
