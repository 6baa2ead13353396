import {
  Box,
  Button,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import { problemsOf } from "../../api/problems";
import {
  useGetQuestionV1QuestionsQuestionIdGetQuery,
  useGetRevisionV1QuestionsQuestionIdRevisionsRevisionGetQuery,
  useListRevisionsV1QuestionsQuestionIdRevisionsGetQuery,
  type RevisionSummary,
} from "../../api/queryApi.generated";
import { useAppSelector } from "../../app/store";
import { formatMoment } from "../../time";
import { Failed, Loading } from "../shared";
import { draftOf } from "./draft";
import { QuestionEditor, useBankPath } from "./QuestionEditorPage";
import { useMayManage, useQuestionCommands } from "./useQuestionCommands";

const LABELS: Record<string, string> = {
  stem: "question text",
  question_type: "type",
  estimated_minutes: "estimated minutes",
  media_ids: "images and audio",
  media_alt: "image descriptions",
  "choice.options": "options",
  "choice.wrong_pick_penalty": "penalty",
  "true_false.correct": "answer key",
  "short_answer.accepted": "accepted answers",
  "long_answer.model_answer": "model answer",
  "long_answer.max_words": "word limit",
  "coding.starter_code": "starter code",
  "coding.sample_tests": "sample tests",
  "coding.hidden_tests": "hidden tests",
  "coding.time_limit_ms": "time limit",
  "coding.memory_limit_mb": "memory limit",
};

/** What an edit changed, in words: "options, difficulty". */
export function changedInWords(r: RevisionSummary): string {
  if (r.revision === 1) return "Written";
  if (r.restored_from) return `Revision ${r.restored_from} restored`;
  if (!r.changed.length) return "No change to the content";
  const words = r.changed.map((f) => LABELS[f] ?? f.split(".").pop()!.replace(/_/g, " "));
  const text = [...new Set(words)].join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A question's history: every revision, who wrote it, when, and what it changed. */
export default function QuestionHistoryPage() {
  const { questionId = "" } = useParams();
  const bank = useBankPath();
  const me = useAppSelector((s) => s.auth.user?.user_id);
  const question = useGetQuestionV1QuestionsQuestionIdGetQuery(
    { questionId },
    { refetchOnMountOrArgChange: true },
  );
  const listed = useListRevisionsV1QuestionsQuestionIdRevisionsGetQuery(
    { questionId },
    { refetchOnMountOrArgChange: true },
  );
  // A revision saved a moment ago is listed shortly after: ask until it is there.
  const latest = listed.data?.at(-1)?.revision ?? 0;
  const behind = Boolean(question.data && listed.data && latest < question.data.revision);
  useListRevisionsV1QuestionsQuestionIdRevisionsGetQuery(
    { questionId },
    { skip: !behind, pollingInterval: behind ? 1000 : 0 },
  );
  const error = question.error ?? listed.error;

  return (
    <Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: "center", mb: 1 }}>
        <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
          History of a question
        </Typography>
        <Button component={RouterLink} to={`${bank}/${questionId}`}>
          Back to the question
        </Button>
      </Stack>
      {question.data && (
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          {question.data.stem.length > 200
            ? `${question.data.stem.slice(0, 200)}…`
            : question.data.stem}
        </Typography>
      )}
      <Failed message={problemsOf(error, []).general} />
      {listed.isLoading ? (
        <Loading what="the history" />
      ) : listed.data ? (
        <Paper>
          <TableContainer>
            <Table size="small" aria-label="Revisions" aria-busy={listed.isFetching}>
              <TableHead>
                <TableRow>
                  {["Revision", "Written", "By", "What changed", "Open"].map((label) => (
                    <TableCell key={label} component="th" scope="col">
                      {label}
                    </TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {[...listed.data].reverse().map((r) => (
                  <TableRow key={r.revision}>
                    <TableCell>
                      {r.revision}
                      {r.revision === question.data?.revision && " (current)"}
                    </TableCell>
                    <TableCell>{formatMoment(r.written_at)}</TableCell>
                    <TableCell>
                      {r.written_by === me ? "You" : (r.written_by_name ?? r.written_by)}
                    </TableCell>
                    <TableCell>{changedInWords(r)}</TableCell>
                    <TableCell>
                      <Button
                        size="small"
                        component={RouterLink}
                        to={`${bank}/${questionId}/revisions/${r.revision}`}
                        aria-label={`View revision ${r.revision}`}
                      >
                        View
                      </Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        </Paper>
      ) : null}
    </Box>
  );
}

/**
 * One revision as it was written: the editor, read-only, beside its student view. Whoever may
 * change the question can bring an earlier revision back (as a new revision).
 */
export function RevisionPage() {
  const { questionId = "", revision = "" } = useParams();
  const bank = useBankPath();
  const found = useGetRevisionV1QuestionsQuestionIdRevisionsRevisionGetQuery({
    questionId,
    revision: Number(revision),
  });
  const question = useGetQuestionV1QuestionsQuestionIdGetQuery(
    { questionId },
    { refetchOnMountOrArgChange: true },
  );
  const commands = useQuestionCommands();
  const mayManage = useMayManage(question.data?.owner_id);
  if (found.isLoading) return <Loading what={`revision ${revision}`} />;
  if (!found.data) return <Failed message={problemsOf(found.error, []).general} />;
  const current = question.data;
  const restorable =
    current && mayManage && current.status === "active" && current.revision !== found.data.revision;
  return (
    <>
      <Failed message={commands.problem} />
      <QuestionEditor
        key={`${questionId}/${revision}`}
        questionId={questionId}
        initial={draftOf(found.data.content)}
        view={{
          title: `Revision ${found.data.revision}, as written ${formatMoment(found.data.written_at)}`,
          back: { to: `${bank}/${questionId}/history`, label: "Back to the history" },
          action: restorable && (
            <Button
              variant="contained"
              disabled={commands.busy}
              onClick={() =>
                void commands.restoreRevision(questionId, found.data!.revision, current.version)
              }
            >
              Restore this revision
            </Button>
          ),
        }}
      />
    </>
  );
}
