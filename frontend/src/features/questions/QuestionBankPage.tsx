import { useEffect, useState } from "react";
import {
  Alert,
  Box,
  Button,
  Chip,
  MenuItem,
  Paper,
  Snackbar,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { Link as RouterLink, useLocation, useNavigate } from "react-router";
import type { ExportedQuestion } from "../../api/commandApi.generated";
import { problemsOf } from "../../api/problems";
import {
  queryApi,
  useSearchQuestionsV1QuestionsGetQuery,
  type QuestionSummary,
  type Difficulty,
  type QuestionStatus,
  type QuestionType,
  type SearchQuestionsV1QuestionsGetApiArg,
} from "../../api/queryApi.generated";
import { useAppDispatch, useAppSelector } from "../../app/store";
import { formatMoment } from "../../time";
import { Empty, Failed, Loading, Pager, usePaging, useDebounced } from "../shared";
import { DIFFICULTIES, TYPES, typeLabel } from "./draft";
import { ExportQuestions, ExportReport } from "./ExportQuestions";
import { useBankPath } from "./QuestionEditorPage";
import { mayManage, useQuestionCommands } from "./useQuestionCommands";

const HIDDEN = {
  position: "absolute",
  width: "1px", // a number of 1 or less is a fraction in sx: 1 would be 100%
  height: "1px",
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;

type Sort = NonNullable<SearchQuestionsV1QuestionsGetApiArg["sort"]>;
const SORTS: { value: Sort; label: string }[] = [
  { value: "relevance", label: "Best match" },
  { value: "-updated_at", label: "Newest first" },
  { value: "updated_at", label: "Oldest first" },
  { value: "difficulty", label: "Easiest first" },
  { value: "-difficulty", label: "Hardest first" },
];

export default function QuestionBankPage() {
  const bank = useBankPath();
  const location = useLocation();
  const navigate = useNavigate();
  const dispatch = useAppDispatch();
  const user = useAppSelector((s) => s.auth.user);
  const commands = useQuestionCommands();
  const [notice, setNotice] = useState<string | null>(
    (location.state as { notice?: string } | null)?.notice ?? null,
  );
  const [text, setText] = useState("");
  const [type, setType] = useState<QuestionType | "">("");
  const [difficulty, setDifficulty] = useState<Difficulty | "">("");
  const [tagText, setTagText] = useState("");
  const [status, setStatus] = useState<QuestionStatus>("active");
  const [owner, setOwner] = useState<"all" | "me">("all");
  const [sort, setSort] = useState<Sort>("-updated_at");
  const paging = usePaging();
  const [exportLost, setExportLost] = useState<ExportedQuestion[]>([]);
  const [exportFailed, setExportFailed] = useState<string | null>(null);
  const q = useDebounced(text);
  const tags = useDebounced(tagText)
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const args: SearchQuestionsV1QuestionsGetApiArg = {
    q: q || undefined,
    type: type || undefined,
    difficulty: difficulty || undefined,
    tag: tags.length ? tags : undefined,
    status,
    owner: owner === "me" ? "me" : undefined,
    // Relevance needs words to rank by.
    sort: sort === "relevance" && !q ? "-updated_at" : sort,
    ...paging.query,
  };
  // New questions reach the read model a moment after the command: read again on arrival.
  const { data, isLoading, isFetching, error } = useSearchQuestionsV1QuestionsGetQuery(args, {
    refetchOnMountOrArgChange: true,
  });

  useEffect(() => {
    // The notice came with the navigation: keep it out of the history entry.
    if (location.state) navigate(location.pathname, { replace: true, state: null });
  }, [location, navigate]);

  /** Archive or restore: the row leaves this list at once, the read model follows. */
  async function setArchived(question: QuestionSummary, archived: boolean) {
    const answer = await commands.setArchived(question.question_id, archived);
    if (!answer) return;
    dispatch(
      queryApi.util.updateQueryData("searchQuestionsV1QuestionsGet", args, (found) => {
        found.items = found.items.filter((q) => q.question_id !== question.question_id);
        found.total = Math.max(0, found.total - 1);
      }),
    );
    setTimeout(() => {
      // Not the hook's refetch: the page may be gone by then.
      dispatch(
        queryApi.endpoints.searchQuestionsV1QuestionsGet.initiate(args, {
          forceRefetch: true,
          subscribe: false,
        }),
      );
    }, 1500);
    const short = question.stem.length > 60 ? `${question.stem.slice(0, 60)}…` : question.stem;
    setNotice(
      archived
        ? `Archived "${short}". Archived questions are listed with Status: Archived.`
        : `Restored "${short}" to the bank.`,
    );
  }

  const filter =
    <T,>(setter: (value: T) => void) =>
    (value: T) => {
      setter(value);
      paging.setPage(0);
    };

  return (
    <Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: "center", mb: 2 }}>
        <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
          Question bank
        </Typography>
        <ExportQuestions
          search={args}
          found={data?.total ?? 0}
          onDone={(message, lost) => {
            setNotice(message);
            setExportLost(lost);
          }}
          onFailed={setExportFailed}
        />
        <Button component={RouterLink} to={`${bank}/import`} variant="outlined">
          Import questions
        </Button>
        <Button component={RouterLink} to={`${bank}/new`} variant="contained">
          New question
        </Button>
      </Stack>
      <Failed message={exportFailed} />
      <ExportReport
        lost={exportLost}
        names={new Map((data?.items ?? []).map((q) => [q.question_id, q.stem]))}
        onClose={() => setExportLost([])}
      />
      <Box
        component="search"
        aria-label="Filter questions"
        sx={{ display: "flex", gap: 2, mb: 2, flexWrap: "wrap" }}
      >
        <TextField
          label="Search questions"
          value={text}
          onChange={(e) => filter(setText)(e.target.value)}
          size="small"
          sx={{ minWidth: 260 }}
        />
        <TextField
          select
          label="Type"
          value={type}
          onChange={(e) => filter(setType)(e.target.value as QuestionType | "")}
          size="small"
          sx={{ minWidth: 170 }}
        >
          <MenuItem value="">Any type</MenuItem>
          {TYPES.map((t) => (
            <MenuItem key={t.value} value={t.value}>
              {t.label}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Difficulty"
          value={difficulty}
          onChange={(e) => filter(setDifficulty)(e.target.value as Difficulty | "")}
          size="small"
          sx={{ minWidth: 150 }}
        >
          <MenuItem value="">Any difficulty</MenuItem>
          {DIFFICULTIES.map((d) => (
            <MenuItem key={d} value={d}>
              {d}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label="Tags (comma separated)"
          value={tagText}
          onChange={(e) => filter(setTagText)(e.target.value)}
          size="small"
          sx={{ minWidth: 200 }}
        />
        <TextField
          select
          label="Status"
          value={status}
          onChange={(e) => filter(setStatus)(e.target.value as QuestionStatus)}
          size="small"
          sx={{ minWidth: 130 }}
        >
          <MenuItem value="active">Active</MenuItem>
          <MenuItem value="archived">Archived</MenuItem>
        </TextField>
        <TextField
          select
          label="Whose"
          value={owner}
          onChange={(e) => filter(setOwner)(e.target.value as "all" | "me")}
          size="small"
          sx={{ minWidth: 160 }}
        >
          <MenuItem value="all">Mine and shared</MenuItem>
          <MenuItem value="me">Only mine</MenuItem>
        </TextField>
        <TextField
          select
          label="Sort"
          value={sort}
          onChange={(e) => filter(setSort)(e.target.value as Sort)}
          size="small"
          sx={{ minWidth: 160 }}
        >
          {SORTS.map((s) => (
            <MenuItem key={s.value} value={s.value}>
              {s.label}
            </MenuItem>
          ))}
        </TextField>
      </Box>
      <Failed message={problemsOf(error, []).general ?? commands.problem} />
      {isLoading ? (
        <Loading what="questions" />
      ) : !data?.items.length ? (
        <Empty>
          No question matches these filters. Write one with New question, or import a file.
        </Empty>
      ) : (
        <Paper>
          <TableContainer>
            <Table size="small" aria-label="Questions" aria-busy={isFetching}>
              <TableHead>
                <TableRow>
                  {["Question", "Type", "Difficulty", "Tags", "Revision", "Updated", ""].map(
                    (label, i) => (
                      <TableCell key={i} component="th" scope="col">
                        {label || (
                          <Box component="span" sx={HIDDEN}>
                            Actions
                          </Box>
                        )}
                      </TableCell>
                    ),
                  )}
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((question) => (
                  <TableRow key={question.question_id}>
                    <TableCell sx={{ maxWidth: 420 }}>
                      <Typography variant="body2" sx={{ fontWeight: 500 }}>
                        {question.stem.length > 160
                          ? `${question.stem.slice(0, 160)}…`
                          : question.stem}
                      </Typography>
                      {(question.topic || question.shared) && (
                        <Typography variant="caption" color="text.secondary">
                          {[question.topic, question.shared && "shared"]
                            .filter(Boolean)
                            .join(" · ")}
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell>{typeLabel(question.question_type)}</TableCell>
                    <TableCell>{question.difficulty}</TableCell>
                    <TableCell>
                      <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: "wrap" }}>
                        {question.tags.map((tag) => (
                          <Chip key={tag} label={tag} size="small" />
                        ))}
                      </Stack>
                    </TableCell>
                    <TableCell>{question.revision}</TableCell>
                    <TableCell>{formatMoment(question.updated_at)}</TableCell>
                    <TableCell>
                      <RowActions
                        question={question}
                        manages={mayManage(user, question.owner_id)}
                        to={`${bank}/${question.question_id}`}
                        busy={commands.busy}
                        onCopy={() => commands.copyAndOpen(question.question_id)}
                        onArchive={(archived) => setArchived(question, archived)}
                      />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
          <Pager total={data.total} paging={paging} />
        </Paper>
      )}
      <Snackbar open={Boolean(notice)} autoHideDuration={5000} onClose={() => setNotice(null)}>
        <Alert severity="success" onClose={() => setNotice(null)} role="status">
          {notice}
        </Alert>
      </Snackbar>
    </Box>
  );
}

/** Edit (or open, when it is not yours to change), copy, archive or restore one question. */
function RowActions({
  question,
  manages,
  to,
  busy,
  onCopy,
  onArchive,
}: {
  question: QuestionSummary;
  manages: boolean;
  to: string;
  busy: boolean;
  onCopy: () => void;
  onArchive: (archived: boolean) => void;
}) {
  const stem = question.stem.slice(0, 60);
  const archived = question.status === "archived";
  const open = manages && !archived ? "Edit" : "Open";
  return (
    <Stack direction="row" spacing={0.5}>
      <Button size="small" component={RouterLink} to={to} aria-label={`${open}: ${stem}`}>
        {open}
      </Button>
      <Button size="small" onClick={onCopy} disabled={busy} aria-label={`Copy: ${stem}`}>
        Copy
      </Button>
      {manages && (
        <Button
          size="small"
          onClick={() => onArchive(!archived)}
          disabled={busy}
          aria-label={`${archived ? "Restore" : "Archive"}: ${stem}`}
        >
          {archived ? "Restore" : "Archive"}
        </Button>
      )}
    </Stack>
  );
}
