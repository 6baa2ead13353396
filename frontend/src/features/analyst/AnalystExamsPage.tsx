// An analyst's home: every published exam, the latest window first, searched by title, each
// with a link to its analytics (figures over a cohort; never a student's answers, marks or
// name).
import { useState } from "react";
import { Box, Link, TableCell, TableRow } from "@mui/material";
import { Link as RouterLink } from "react-router";
import { problemsOf } from "../../api/problems";
import { useListExamsV1ExamsGetQuery } from "../../api/queryApi.generated";
import { formatMoment } from "../../time";
import {
  Empty,
  Failed,
  Loading,
  PageHeader,
  Pager,
  RowsTable,
  SearchField,
  useDebounced,
  usePaging,
} from "../shared";

export default function AnalystExamsPage() {
  const paging = usePaging(20);
  const [text, setText] = useState("");
  const q = useDebounced(text);
  const found = useListExamsV1ExamsGetQuery({
    status: "published",
    sort: "-window_opens_at",
    q: q || undefined,
    ...paging.query,
  });
  return (
    <>
      <PageHeader title="Exams" />
      <Box component="search" aria-label="Find an exam" sx={{ mb: 2 }}>
        <SearchField label="Search by title" text={text} setText={setText} paging={paging} />
      </Box>
      {found.isLoading ? (
        <Loading what="the exams" />
      ) : !found.data ? (
        <Failed message={problemsOf(found.error, []).general} />
      ) : found.data.items.length === 0 ? (
        <Empty>
          {q ? "No published exam has that in its title." : "No exam is published yet."}
        </Empty>
      ) : (
        <RowsTable
          label="Published exams"
          columns={["Exam", "Window opens", "Window closes", "Questions"]}
          busy={found.isFetching}
          footer={<Pager total={found.data.total} paging={paging} />}
        >
          {found.data.items.map((exam) => (
            <TableRow key={exam.exam_id}>
              <TableCell>
                <Link
                  component={RouterLink}
                  to={`/analyst/exams/${exam.exam_id}/analytics`}
                  aria-label={`Analytics of ${exam.title}`}
                >
                  {exam.title}
                </Link>
              </TableCell>
              <TableCell>{formatMoment(exam.window_opens_at)}</TableCell>
              <TableCell>{formatMoment(exam.window_closes_at)}</TableCell>
              <TableCell>{exam.question_count}</TableCell>
            </TableRow>
          ))}
        </RowsTable>
      )}
    </>
  );
}
