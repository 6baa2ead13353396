import { useEffect, useState } from "react";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Card,
  CardActions,
  CardContent,
  Chip,
  Snackbar,
  Stack,
  Typography,
} from "@mui/material";
import {
  useCloneExamV1ExamsExamIdClonePostMutation,
  useDeleteExamV1ExamsExamIdDeleteMutation,
  usePublishExamV1ExamsExamIdPublishPostMutation,
  type ExamCommandResult,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  queryApi,
  useListExamsV1ExamsGetQuery,
  type ExamSummary,
} from "../../api/queryApi.generated";
import { Link as RouterLink, useLocation, useNavigate } from "react-router";
import { useFollowVersion } from "../../app/follow";
import { useAppDispatch } from "../../app/store";
import { formatMoment } from "../../time";
import { Empty, Failed, Loading } from "../shared";

const MINE = { mine: true, sort: "-created_at", perPage: 100 } as const;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function sections(exams: ExamSummary[], now = Date.now()) {
  const drafts = exams.filter((e) => e.status === "draft");
  const published = exams.filter((e) => e.status === "published");
  const upcoming = published.filter(
    (e) => e.window_opens_at && new Date(e.window_opens_at).getTime() > now,
  );
  return {
    drafts,
    upcoming,
    published: published.filter((e) => !upcoming.includes(e)),
  };
}

export default function TeacherDashboard() {
  const dispatch = useAppDispatch();
  const location = useLocation();
  const navigate = useNavigate();
  // The wizard reads the catalogue fresh on the way back (it changed the exams).
  const listed = useListExamsV1ExamsGetQuery(MINE, { refetchOnMountOrArgChange: true });
  const { isLoading, error } = listed;
  // An exam the wizard just published: the catalogue shows it a moment later. Until then the
  // list reads again and shows the exam as the command answered (never a stale draft that
  // offers to publish it twice).
  const [published] = useState(
    (location.state as { published?: ExamCommandResult } | null)?.published ?? null,
  );
  const listedVersion = listed.data?.items.find((e) => e.exam_id === published?.exam_id)?.version;
  useFollowVersion(
    { ...listed, data: listed.data && { version: listedVersion ?? 0 } },
    published?.version ?? 0,
  );
  const data = listed.data && {
    ...listed.data,
    items: listed.data.items.map((e) =>
      published && e.exam_id === published.exam_id && e.version < published.version
        ? { ...e, status: published.status, version: published.version }
        : e,
    ),
  };
  const [publish, publishing] = usePublishExamV1ExamsExamIdPublishPostMutation();
  const [remove, removing] = useDeleteExamV1ExamsExamIdDeleteMutation();
  const [clone, cloning] = useCloneExamV1ExamsExamIdClonePostMutation();
  const [notice, setNotice] = useState<string | null>(
    (location.state as { notice?: string } | null)?.notice ?? null,
  );

  useEffect(() => {
    // The notice came with the navigation: keep it out of the history entry.
    if (location.state) navigate(location.pathname, { replace: true, state: null });
  }, [location, navigate]);
  const failure = [removing.error, cloning.error, error]
    .map((e) => problemsOf(e, []).general)
    .find(Boolean);
  // Publishing lists every problem at once (no questions, nobody assigned, ...).
  const unpublishable = problemsOf(publishing.error, []).unplaced;

  // Commands answer at once; the catalogue follows within a moment. Show the answer now and
  // read the catalogue again shortly after.
  function apply(change: (items: ExamSummary[]) => ExamSummary[]) {
    dispatch(
      queryApi.util.updateQueryData("listExamsV1ExamsGet", MINE, (page) => {
        page.items = change(page.items);
      }),
    );
    setTimeout(() => {
      // Not the hook's refetch: the page may be gone by then (signed out).
      dispatch(
        queryApi.endpoints.listExamsV1ExamsGet.initiate(MINE, {
          forceRefetch: true,
          subscribe: false,
        }),
      );
    }, 1500);
  }

  async function onPublish(exam: ExamSummary) {
    const answer = await publish({
      examId: exam.exam_id,
      "Idempotency-Key": newCommandId(),
      "If-Match": `"${exam.version}"`,
    });
    if (answer.data) {
      const { status, version } = answer.data;
      apply((items) =>
        items.map((e) =>
          e.exam_id === exam.exam_id
            ? { ...e, status, version, published_at: new Date().toISOString() }
            : e,
        ),
      );
      setNotice(`"${exam.title}" is published.`);
    }
  }

  async function onDelete(exam: ExamSummary) {
    if (!window.confirm(`Delete the draft "${exam.title}"?`)) return;
    const answer = await remove({
      examId: exam.exam_id,
      "Idempotency-Key": newCommandId(),
      "If-Match": `"${exam.version}"`,
    });
    if (answer.data) {
      apply((items) => items.filter((e) => e.exam_id !== exam.exam_id));
      setNotice(`"${exam.title}" is deleted.`);
    }
  }

  async function onClone(exam: ExamSummary) {
    // A new draft with the exam's content, questions and settings (no students), opened in
    // the wizard.
    const answer = await clone({
      examId: exam.exam_id,
      "Idempotency-Key": newCommandId(),
      cloneIn: {},
    });
    if (answer.data) navigate(`/teacher/exams/${answer.data.exam_id}`);
  }

  const groups = sections(data?.items ?? []);

  function card(exam: ExamSummary) {
    return (
      <Card key={exam.exam_id} component="li" variant="outlined" sx={{ listStyle: "none" }}>
        <CardContent>
          <Stack direction="row" spacing={1} sx={{ alignItems: "center", mb: 1 }}>
            <Typography component="h3" variant="h6" sx={{ flexGrow: 1 }}>
              {exam.title}
            </Typography>
            <Chip label={exam.status} size="small" />
          </Stack>
          <Typography variant="body2">
            {[
              `${exam.duration_minutes} minutes`,
              plural(exam.question_count, "question"),
              plural(exam.total_points, "point"),
            ].join(" · ")}
          </Typography>
          <Typography variant="body2">
            Window: {formatMoment(exam.window_opens_at)} – {formatMoment(exam.window_closes_at)}
          </Typography>
        </CardContent>
        <CardActions>
          {exam.status === "draft" && (
            <>
              <Button
                size="small"
                component={RouterLink}
                to={`/teacher/exams/${exam.exam_id}`}
                state={{ version: exam.version }}
                aria-label={`Edit ${exam.title}`}
              >
                Edit
              </Button>
              <Button
                size="small"
                variant="contained"
                onClick={() => onPublish(exam)}
                aria-label={`Publish ${exam.title}`}
              >
                Publish
              </Button>
            </>
          )}
          {exam.status !== "draft" && (
            <Button
              size="small"
              component={RouterLink}
              to={`/teacher/exams/${exam.exam_id}`}
              state={{ version: exam.version }}
              aria-label={`Manage ${exam.title}`}
            >
              Manage
            </Button>
          )}
          {exam.status === "published" && (
            <Button
              size="small"
              component={RouterLink}
              to={`/teacher/exams/${exam.exam_id}/progress`}
              aria-label={`Progress of ${exam.title}`}
            >
              Progress
            </Button>
          )}
          {exam.status === "published" && (
            <Button
              size="small"
              component={RouterLink}
              to={`/teacher/exams/${exam.exam_id}/grades`}
              aria-label={`Grades of ${exam.title}`}
            >
              Grades
            </Button>
          )}
          <Button
            size="small"
            onClick={() => onClone(exam)}
            disabled={cloning.isLoading}
            aria-label={`Copy ${exam.title} into a new draft`}
          >
            Copy
          </Button>
          {exam.status === "draft" && (
            <Button
              size="small"
              color="error"
              onClick={() => onDelete(exam)}
              aria-label={`Delete ${exam.title}`}
            >
              Delete
            </Button>
          )}
        </CardActions>
      </Card>
    );
  }

  function section(id: string, title: string, exams: ExamSummary[], empty: string) {
    return (
      <Box component="section" aria-labelledby={id} sx={{ mb: 4 }}>
        <Typography id={id} component="h2" variant="h5" gutterBottom>
          {title} ({exams.length})
        </Typography>
        {exams.length ? (
          <Stack component="ul" spacing={2} sx={{ p: 0, m: 0 }}>
            {exams.map(card)}
          </Stack>
        ) : (
          <Empty>{empty}</Empty>
        )}
      </Box>
    );
  }

  return (
    <Box>
      <Box sx={{ display: "flex", alignItems: "center", mb: 3 }}>
        <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
          Your exams
        </Typography>
        <Button component={RouterLink} to="/teacher/exams/new" variant="contained">
          New exam
        </Button>
      </Box>
      <Failed message={failure ?? null} />
      {unpublishable.length > 0 && (
        <Alert severity="error" role="alert" sx={{ mb: 2 }} onClose={() => publishing.reset()}>
          <AlertTitle>This exam cannot be published yet</AlertTitle>
          <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {unpublishable.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </Box>
        </Alert>
      )}
      {isLoading ? (
        <Loading what="your exams" />
      ) : (
        <>
          {section("drafts", "Drafts", groups.drafts, "No drafts. Start one with New exam.")}
          {section("upcoming", "Upcoming", groups.upcoming, "Nothing scheduled yet.")}
          {section("published", "Published", groups.published, "Nothing published yet.")}
        </>
      )}
      <Snackbar open={Boolean(notice)} autoHideDuration={5000} onClose={() => setNotice(null)}>
        <Alert severity="success" onClose={() => setNotice(null)} role="status">
          {notice}
        </Alert>
      </Snackbar>
    </Box>
  );
}
