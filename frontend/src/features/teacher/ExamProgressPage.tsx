import { useCallback, useState } from "react";
import { Box, Button, MenuItem, TableCell, TableRow, TextField, Typography } from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import { problemsOf } from "../../api/problems";
import {
  useExamProgressV1ExamsExamIdProgressGetQuery,
  useGetExamV1ExamsExamIdGetQuery,
  type ExamProgress,
  type StudentProgress,
} from "../../api/queryApi.generated";
import { formatMoment } from "../../time";
import { useLiveChannel } from "../liveChannel";
import {
  CountTiles,
  Failed,
  PersonCell,
  Loading,
  PageHeader,
  Pager,
  RowsTable,
  usePaging,
} from "../shared";

type State = "not_started" | "in_progress" | "paused" | "submitted";

const STATES: { state: State; label: string }[] = [
  { state: "not_started", label: "Not started" },
  { state: "in_progress", label: "In progress" },
  { state: "paused", label: "Paused" },
  { state: "submitted", label: "Submitted" },
];

const LABEL = Object.fromEntries(STATES.map(({ state, label }) => [state, label]));

/** Read again when the live channel says the exam's attempts changed (at most once a
 * second); besides, this often while it is open, and more often while it is down. */
const REFRESH_OPEN_MS = 30_000;
const REFRESH_CLOSED_MS = 5000;

/** Where a student stands, in words: time left, or when and how it was handed in. */
export function standing(row: StudentProgress, serverTime: string): string {
  if (row.state === "submitted") {
    const how =
      row.submit_reason === "deadline"
        ? " (auto-submitted at the deadline)"
        : row.submit_reason === "proctor"
          ? " (by a proctor)"
          : "";
    return `Submitted ${formatMoment(row.submitted_at)}${how}`;
  }
  if (row.state === "not_started" || !row.deadline) return "";
  if (row.state === "paused") return "Clock stopped";
  const left = Math.max(
    0,
    Math.ceil((new Date(row.deadline).getTime() - new Date(serverTime).getTime()) / 60_000),
  );
  return `${left} min left`;
}

function Counts({ progress }: { progress: ExamProgress }) {
  const counts: [string, number][] = [
    ["Assigned", progress.assigned],
    ["Not started", progress.not_started],
    ["In progress", progress.in_progress],
    ["Paused", progress.paused],
    ["Submitted", progress.submitted],
    ["Auto-submitted", progress.auto_submitted],
  ];
  return <CountTiles counts={counts} />;
}

/** An exam's live progress for its teacher: each assigned student's state and answers. */
export default function ExamProgressPage() {
  const { examId = "" } = useParams();
  const [state, setState] = useState<State | "all">("all");
  const paging = usePaging(50);
  const exam = useGetExamV1ExamsExamIdGetQuery({ examId });
  const [live, setLive] = useState(false);
  const found = useExamProgressV1ExamsExamIdProgressGetQuery(
    { examId, state: state === "all" ? undefined : state, ...paging.query },
    {
      pollingInterval: live ? REFRESH_OPEN_MS : REFRESH_CLOSED_MS,
      refetchOnMountOrArgChange: true,
    },
  );
  const { refetch } = found;
  const onMessage = useCallback(
    (message: { type: string }) => {
      if (message.type === "changed" || message.type === "resync") void refetch();
    },
    [refetch],
  );
  useLiveChannel({
    path: `/v1/exams/${encodeURIComponent(examId)}/progress/live`,
    onMessage,
    onOpen: setLive,
    enabled: Boolean(examId),
  });
  const title = exam.data ? `Progress: ${exam.data.title}` : "Progress";
  if (found.isLoading) return <Loading what="the exam's progress" />;
  if (!found.data) return <Failed message={problemsOf(found.error, []).general} />;
  const progress = found.data;
  return (
    <Box>
      <PageHeader title={title}>
        <Button component={RouterLink} to="/teacher">
          Back to your exams
        </Button>
      </PageHeader>
      <Typography variant="body2" sx={{ mb: 2 }}>
        {live
          ? "Live: updated as students start, save and submit"
          : `Read again every ${REFRESH_CLOSED_MS / 1000} seconds`}
        ; last read {formatMoment(progress.server_time)}.
      </Typography>
      <Counts progress={progress} />
      <TextField
        select
        label="Show"
        size="small"
        value={state}
        onChange={(e) => {
          setState(e.target.value as State | "all");
          paging.setPage(0);
        }}
        sx={{ mb: 2, minWidth: 200 }}
      >
        <MenuItem value="all">Every student</MenuItem>
        {STATES.map(({ state: value, label }) => (
          <MenuItem key={value} value={value}>
            {label}
          </MenuItem>
        ))}
      </TextField>
      <RowsTable
        label="Students"
        columns={["Student", "State", "Answered", "Time"]}
        busy={found.isFetching}
        footer={<Pager total={progress.total} paging={paging} />}
      >
        {progress.items.map((row) => (
          <TableRow key={row.student_id}>
            <PersonCell name={row.name ?? null} email={row.email ?? null} />
            <TableCell>{LABEL[row.state] ?? row.state}</TableCell>
            <TableCell>
              {row.question_count === null ? "–" : `${row.answered} of ${row.question_count}`}
            </TableCell>
            <TableCell>{standing(row, progress.server_time)}</TableCell>
          </TableRow>
        ))}
        {!progress.items.length && (
          <TableRow>
            <TableCell colSpan={4}>No students here.</TableCell>
          </TableRow>
        )}
      </RowsTable>
    </Box>
  );
}
