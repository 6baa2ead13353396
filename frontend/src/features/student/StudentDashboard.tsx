import { Box, Card, CardContent, Chip, Stack, Typography } from "@mui/material";
import { problemsOf } from "../../api/problems";
import { useListExamsV1ExamsGetQuery, type ExamSummary } from "../../api/queryApi.generated";
import { formatMoment, userTimeZone } from "../../time";
import { Empty, Failed, Loading } from "../shared";

export function windowState(exam: ExamSummary, now = Date.now()): "open" | "upcoming" | "closed" {
  const opens = exam.window_opens_at ? new Date(exam.window_opens_at).getTime() : -Infinity;
  const closes = exam.window_closes_at ? new Date(exam.window_closes_at).getTime() : Infinity;
  return now < opens ? "upcoming" : now > closes ? "closed" : "open";
}

const LABEL = { open: "Open now", upcoming: "Upcoming", closed: "Closed" } as const;

export default function StudentDashboard() {
  const { data, isLoading, error } = useListExamsV1ExamsGetQuery({
    status: "published",
    sort: "window_opens_at",
    perPage: 100,
  });
  const zone = userTimeZone();

  return (
    <Box>
      <Typography component="h1" variant="h4" gutterBottom>
        My exams
      </Typography>
      <Typography variant="body2" sx={{ mb: 2 }}>
        Times are shown in your time zone, {zone}.
      </Typography>
      <Failed message={problemsOf(error, []).general} />
      {isLoading ? (
        <Loading what="your exams" />
      ) : !data?.items.length ? (
        <Empty>No exams for you yet. They appear here when your teachers publish them.</Empty>
      ) : (
        <Stack component="ul" spacing={2} sx={{ p: 0, m: 0 }}>
          {data.items.map((exam) => {
            const state = windowState(exam);
            return (
              <Card key={exam.exam_id} component="li" variant="outlined" sx={{ listStyle: "none" }}>
                <CardContent>
                  <Stack direction="row" spacing={1} sx={{ alignItems: "center", mb: 1 }}>
                    <Typography component="h2" variant="h6" sx={{ flexGrow: 1 }}>
                      {exam.title}
                    </Typography>
                    <Chip
                      label={LABEL[state]}
                      color={state === "open" ? "success" : "default"}
                      size="small"
                    />
                  </Stack>
                  <Typography variant="body2">{exam.duration_minutes} minutes</Typography>
                  <Typography variant="body2">
                    Opens {formatMoment(exam.window_opens_at, zone)}, closes{" "}
                    {formatMoment(exam.window_closes_at, zone)}
                  </Typography>
                </CardContent>
              </Card>
            );
          })}
        </Stack>
      )}
    </Box>
  );
}
