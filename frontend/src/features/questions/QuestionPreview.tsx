import { Box, Paper, Stack, Typography } from "@mui/material";
import type { Draft } from "./draft";
import { MediaView } from "./MediaAttachments";

/**
 * What a student sees of the question being edited, from the form as it is now: the stem, the
 * options (never which are correct, nor their feedback), the answer box, a rubric's criteria
 * and levels, a coding question's starter code and sample tests, its images and audio. It mirrors the server's
 * student view (security/student_view.py): model answers, accepted answers, patterns and
 * hidden tests are never rendered here.
 */
export function QuestionPreview({ draft }: { draft: Draft }) {
  const type = draft.question_type;
  const box = (label: string, lines = 1) => (
    <Box
      sx={{
        border: 1,
        borderColor: "grey.500",
        borderRadius: 1,
        minHeight: lines * 24 + 16,
        px: 1.5,
        py: 1,
        color: "text.secondary",
      }}
    >
      {label}
    </Box>
  );
  return (
    <Paper
      variant="outlined"
      component="section"
      aria-labelledby="preview-title"
      data-testid="student-preview"
      sx={{ p: 2, position: { md: "sticky" }, top: { md: 80 } }}
    >
      <Typography id="preview-title" component="h2" variant="h6" gutterBottom>
        Student view
      </Typography>
      <Typography variant="body2" color="text.secondary" gutterBottom>
        About {draft.estimated_minutes || "?"} minutes
      </Typography>
      <Typography sx={{ whiteSpace: "pre-wrap", mb: 2 }}>
        {draft.stem.trim() || "(The question text appears here.)"}
      </Typography>
      {draft.media_ids.map((id) => (
        <MediaView key={id} mediaId={id} alt={draft.media_alt[id]} sx={{ mb: 2, maxHeight: 320 }} />
      ))}
      {(type === "single_choice" || type === "multiple_choice") && (
        <>
          <Typography variant="body2" color="text.secondary">
            {type === "single_choice" ? "Choose one answer." : "Choose every answer that applies."}
          </Typography>
          <Stack component="ul" spacing={1} sx={{ listStyle: "none", p: 0, m: 0, mt: 1 }}>
            {draft.options.map((option, i) => (
              <Box component="li" key={option.option_id || i} sx={{ display: "flex", gap: 1 }}>
                <Box
                  aria-hidden
                  sx={{
                    width: 18,
                    height: 18,
                    mt: 0.25,
                    flexShrink: 0,
                    border: 2,
                    borderColor: "grey.600",
                    borderRadius: type === "single_choice" ? "50%" : 0.5,
                  }}
                />
                <Typography>{option.text || `(option ${i + 1})`}</Typography>
              </Box>
            ))}
          </Stack>
        </>
      )}
      {type === "true_false" && (
        <Stack component="ul" spacing={1} sx={{ listStyle: "none", p: 0, m: 0 }}>
          {["True", "False"].map((label) => (
            <Box component="li" key={label} sx={{ display: "flex", gap: 1 }}>
              <Box
                aria-hidden
                sx={{
                  width: 18,
                  height: 18,
                  border: 2,
                  borderColor: "grey.600",
                  borderRadius: "50%",
                }}
              />
              <Typography>{label}</Typography>
            </Box>
          ))}
        </Stack>
      )}
      {type === "short_answer" && box("Your answer")}
      {type === "long_answer" && (
        <>
          {box("Your answer", 4)}
          {draft.max_words.trim() && (
            <Typography variant="body2" sx={{ mt: 1 }}>
              At most {draft.max_words} words.
            </Typography>
          )}
          {draft.rubric.length > 0 && (
            <Box sx={{ mt: 2 }}>
              <Typography component="h3" variant="subtitle1">
                How it is marked
              </Typography>
              <Box component="ul" sx={{ m: 0, pl: 2 }}>
                {draft.rubric.map((c) => (
                  <li key={c.criterion_id}>
                    {c.title || "(criterion)"}:{" "}
                    {c.levels.map((l) => `${l.label} (${l.points})`).join(", ")}
                  </li>
                ))}
              </Box>
            </Box>
          )}
        </>
      )}
      {type === "coding" && (
        <>
          <Typography variant="body2">
            {draft.language} · {draft.time_limit_ms} ms · {draft.memory_limit_mb} MB
          </Typography>
          <Typography variant="subtitle2" sx={{ mt: 1 }}>
            Starter code
          </Typography>
          <Box
            component="pre"
            sx={{ bgcolor: "grey.100", p: 1, borderRadius: 1, overflowX: "auto", minHeight: 40 }}
          >
            {draft.starter_code}
          </Box>
          {draft.sample_tests.map((t, i) => (
            <Box key={i} sx={{ mb: 1 }}>
              <Typography variant="subtitle2">Example {i + 1}</Typography>
              <Typography variant="body2" sx={{ whiteSpace: "pre-wrap" }}>
                Input: {t.stdin || "(none)"}
                {"\n"}Output: {t.expected_stdout}
              </Typography>
            </Box>
          ))}
        </>
      )}
    </Paper>
  );
}
