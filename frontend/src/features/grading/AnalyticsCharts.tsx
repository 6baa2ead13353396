// The analytics page's charts, each with its numbers in a table beside it (the drawings are
// hidden from screen readers: the tables are what they read, and what keyboard users tab to).
import { Box, Paper, TableCell, TableRow, Typography } from "@mui/material";
import type { ItemStatistics, OptionStatistics } from "../../api/queryApi.generated";
import { RowsTable } from "../shared";

export type Bin = { key: string; label: string; caption: string; count: number };

/** A histogram: a bar per bin, its height the bin's share of the most. */
export function Bars({
  title,
  bins,
  columns,
}: {
  title: string;
  bins: Bin[];
  columns: [string, string];
}) {
  const most = Math.max(1, ...bins.map((b) => b.count));
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 3 }}>
      <Typography component="h2" variant="h6" gutterBottom>
        {title}
      </Typography>
      <Box aria-hidden sx={{ display: "flex", alignItems: "flex-end", gap: 1, height: 160, mb: 1 }}>
        {bins.map((bin) => (
          <Box key={bin.key} sx={{ flex: 1, textAlign: "center" }}>
            <Typography variant="body2">{bin.count || ""}</Typography>
            <Box
              sx={{
                height: `${(120 * bin.count) / most}px`,
                bgcolor: "primary.main",
                borderRadius: "2px 2px 0 0",
              }}
            />
          </Box>
        ))}
      </Box>
      <Box aria-hidden sx={{ display: "flex", gap: 1, mb: 2 }}>
        {bins.map((bin) => (
          <Typography key={bin.key} variant="caption" sx={{ flex: 1, textAlign: "center" }}>
            {bin.caption}
          </Typography>
        ))}
      </Box>
      <RowsTable label={title} columns={columns}>
        {bins.map((bin) => (
          <TableRow key={bin.key}>
            <TableCell>{bin.label}</TableCell>
            <TableCell>{bin.count}</TableCell>
          </TableRow>
        ))}
      </RowsTable>
    </Paper>
  );
}

const SIZE = { width: 480, height: 300, pad: 40 };

/** Facility (how easy) against discrimination (how well it separates strong from weak
 * students): each question a numbered dot. The good region is the middle right: not too
 * easy or hard, discriminating well; below 0 a question rewards the weaker students. */
export function ItemMap({ questions }: { questions: ItemStatistics[] }) {
  const { width, height, pad } = SIZE;
  const x = (facility: number) => pad + facility * (width - 2 * pad);
  const y = (discrimination: number) => pad + ((1 - discrimination) / 2) * (height - 2 * pad);
  const placed = questions
    .map((q, n) => ({ n: n + 1, f: q.facility, d: q.discrimination_index }))
    .filter((p): p is { n: number; f: number; d: number } => p.f != null && p.d != null);
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 3 }}>
      <Typography component="h2" variant="h6" gutterBottom>
        Facility and discrimination
      </Typography>
      <Typography variant="body2" sx={{ mb: 1 }}>
        Each dot is a question (its number in the table of questions below, which has the same
        figures). Questions low on the chart separate students poorly; below the dashed line, weaker
        students did better.
        {placed.length === 0 &&
          " No question has a discrimination yet: it takes two graded attempts."}
      </Typography>
      <Box
        component="svg"
        aria-hidden
        viewBox={`0 0 ${width} ${height}`}
        sx={{ width: "100%", maxWidth: width, display: "block" }}
      >
        <rect x={x(0.3)} y={y(1)} width={x(0.9) - x(0.3)} height={y(0.3) - y(1)} fill="#e8f5e9" />
        <line x1={pad} y1={y(0)} x2={width - pad} y2={y(0)} stroke="#999" strokeDasharray="4" />
        <line x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} stroke="#333" />
        <line x1={pad} y1={pad} x2={pad} y2={height - pad} stroke="#333" />
        {[0, 0.5, 1].map((f) => (
          <text key={f} x={x(f)} y={height - pad + 16} fontSize="12" textAnchor="middle">
            {f * 100} %
          </text>
        ))}
        {[-1, 0, 1].map((d) => (
          <text key={d} x={pad - 6} y={y(d) + 4} fontSize="12" textAnchor="end">
            {d}
          </text>
        ))}
        <text x={width / 2} y={height - 4} fontSize="12" textAnchor="middle">
          Facility (share of the points earned)
        </text>
        <text
          x={12}
          y={height / 2}
          fontSize="12"
          textAnchor="middle"
          transform={`rotate(-90 12 ${height / 2})`}
        >
          Discrimination
        </text>
        {placed.map((p) => (
          <g key={p.n}>
            <circle cx={x(p.f)} cy={y(p.d)} r={9} fill={p.d < 0 ? "#c62828" : "#1565c0"} />
            <text x={x(p.f)} y={y(p.d) + 4} fontSize="11" textAnchor="middle" fill="#fff">
              {p.n}
            </text>
          </g>
        ))}
      </Box>
    </Paper>
  );
}

function share(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${Math.round(value * 100)} %`;
}

/** What an option's picks suggest: a wrong option the strong students pick more than the
 * weak ones misleads (a key or wording problem); one nobody picks does no work. */
export function optionNote(option: OptionStatistics): string {
  if (option.option_id === null) return "";
  const upper = option.upper_share ?? 0;
  const lower = option.lower_share ?? 0;
  if (option.correct) return upper < lower ? "Weaker students picked it more: check the key" : "";
  if (upper > lower) return "Draws stronger students: check the wording";
  if (option.picked === 0) return "Nobody picked it";
  return "";
}

/** Distractor analysis: for each choice question, how each option was picked. */
export function Distractors({ questions }: { questions: ItemStatistics[] }) {
  const choice = questions
    .map((q, n) => ({ q, n: n + 1 }))
    .filter(({ q }) => q.options && q.options.length);
  if (!choice.length) return null;
  return (
    <Box sx={{ mt: 3 }}>
      <Typography component="h2" variant="h6" gutterBottom>
        Options of the choice questions
      </Typography>
      {choice.map(({ q, n }) => (
        <Box key={q.question_id} sx={{ mb: 2 }}>
          <Typography component="h3" variant="subtitle1">
            Question {n}: {q.stem ?? q.question_id}
          </Typography>
          <RowsTable
            label={`Options of question ${n}`}
            columns={["Option", "Right", "Picked", "Share", "Top 27 %", "Bottom 27 %", "Note"]}
          >
            {(q.options ?? []).map((o) => (
              <TableRow key={o.option_id ?? "none"}>
                <TableCell>{o.option_id === null ? <em>No answer</em> : o.text}</TableCell>
                <TableCell>{o.correct ? "Yes" : ""}</TableCell>
                <TableCell>{o.picked}</TableCell>
                <TableCell>{share(o.share)}</TableCell>
                <TableCell>{share(o.upper_share)}</TableCell>
                <TableCell>{share(o.lower_share)}</TableCell>
                <TableCell>{optionNote(o)}</TableCell>
              </TableRow>
            ))}
          </RowsTable>
        </Box>
      ))}
    </Box>
  );
}
