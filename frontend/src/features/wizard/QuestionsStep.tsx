import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from "react";
import {
  Box,
  Button,
  Checkbox,
  Chip,
  FormControlLabel,
  Paper,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import {
  useSetExamQuestionsV1ExamsExamIdQuestionsPutMutation,
  type ExamCommandResult,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  queryApi,
  useSearchQuestionsV1QuestionsGetQuery,
  type QuestionSummary,
} from "../../api/queryApi.generated";
import { useAppDispatch } from "../../app/store";
import { Empty, Failed, Loading } from "../shared";
import { useDebounced } from "../shared";
import {
  drawProblem,
  layoutFields,
  layoutIn,
  layoutProblems,
  newId,
  newSection,
  totals,
  type Candidate,
  type Item,
  type Section,
} from "./layout";

type Shuffle = { questions: boolean; options: boolean };

export function QuestionsStep({
  examId,
  ifMatch,
  sections,
  setSections,
  shuffle,
  setShuffle,
  onSaved,
}: {
  examId: string;
  ifMatch: string | null;
  sections: Section[];
  setSections: Dispatch<SetStateAction<Section[]>>;
  shuffle: Shuffle;
  setShuffle: (shuffle: Shuffle) => void;
  onSaved: (result: ExamCommandResult) => void;
}) {
  const [save, saving] = useSetExamQuestionsV1ExamsExamIdQuestionsPutMutation();
  const [checked, setChecked] = useState(false); // show the client's own problems
  const own = checked ? layoutProblems(sections) : {};
  const server = problemsOf(saving.error, layoutFields(sections));
  const problemAt = (field: string) => own[field] ?? server.byField[field];
  const { questions, points } = totals(sections);
  const inExam = new Set(
    sections.flatMap((s) => s.items.flatMap((i) => i.candidates)).map((c) => c.question_id),
  );

  useStems(sections, setSections);

  const change = (i: number, section: Section) =>
    setSections(sections.map((s, k) => (k === i ? section : s)));
  const changeItem = (i: number, j: number, item: Item) =>
    change(i, { ...sections[i]!, items: sections[i]!.items.map((it, k) => (k === j ? item : it)) });

  function add(sectionIndex: number, candidates: Candidate[], asPool: boolean) {
    const list = sections.length ? sections : [newSection(1)];
    const target = list[Math.min(sectionIndex, list.length - 1)]!;
    const items: Item[] = asPool
      ? [{ item_id: newId("pool"), candidates, draw: 1, points: 1 }]
      : candidates.map((c) => ({ item_id: newId("q"), candidates: [c], draw: 1, points: 1 }));
    setSections(
      list.map((s) => (s === target ? { ...target, items: [...target.items, ...items] } : s)),
    );
  }

  async function submit() {
    setChecked(true);
    if (Object.keys(layoutProblems(sections)).length) return;
    const answer = await save({
      examId,
      layoutIn: layoutIn(sections, shuffle),
      "Idempotency-Key": newCommandId(),
      "If-Match": ifMatch,
    });
    if (answer.data) onSaved(answer.data);
  }

  return (
    <Box>
      <Failed message={server.general} />
      <BankPicker sections={sections} inExam={inExam} onAdd={add} />
      {sections.map((section, i) => (
        <Paper
          key={section.section_id}
          component="section"
          variant="outlined"
          aria-label={`Section ${i + 1}`}
          sx={{ p: 2, mt: 2 }}
        >
          <Stack direction="row" spacing={2} sx={{ alignItems: "flex-start" }}>
            <TextField
              id={`wizard-sections.${i}.title`}
              label={`Section ${i + 1} title`}
              value={section.title}
              onChange={(e) => change(i, { ...section, title: e.target.value })}
              error={Boolean(problemAt(`sections.${i}.title`))}
              helperText={problemAt(`sections.${i}.title`) ?? problemAt(`sections.${i}.items`)}
              size="small"
              sx={{ flexGrow: 1 }}
            />
            <Button
              color="error"
              onClick={() => setSections(sections.filter((_, k) => k !== i))}
              aria-label={`Remove section ${i + 1}`}
            >
              Remove section
            </Button>
          </Stack>
          {section.items.length === 0 ? (
            <Typography sx={{ mt: 1 }} color="text.secondary">
              No questions yet: add some from the bank above.
            </Typography>
          ) : (
            <Stack component="ol" spacing={1} sx={{ pl: 3, mt: 1 }}>
              {section.items.map((item, j) => (
                <ItemRow
                  key={item.item_id}
                  label={`item ${j + 1} of section ${i + 1}`}
                  item={item}
                  fieldPrefix={`sections.${i}.items.${j}`}
                  problemAt={problemAt}
                  onChange={(next) => changeItem(i, j, next)}
                  onRemove={() =>
                    change(i, { ...section, items: section.items.filter((_, k) => k !== j) })
                  }
                />
              ))}
            </Stack>
          )}
        </Paper>
      ))}
      <Button
        sx={{ mt: 2 }}
        onClick={() => setSections([...sections, newSection(sections.length + 1)])}
      >
        Add a section
      </Button>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ mt: 2 }}>
        <FormControlLabel
          control={
            <Switch
              checked={shuffle.questions}
              onChange={(e) => setShuffle({ ...shuffle, questions: e.target.checked })}
            />
          }
          label="Shuffle the questions"
        />
        <FormControlLabel
          control={
            <Switch
              checked={shuffle.options}
              onChange={(e) => setShuffle({ ...shuffle, options: e.target.checked })}
            />
          }
          label="Shuffle the options"
        />
      </Stack>
      <Typography role="status" sx={{ mt: 2, fontWeight: 600 }}>
        Each student gets {questions} question{questions === 1 ? "" : "s"} worth {points} point
        {points === 1 ? "" : "s"}.
      </Typography>
      <Box sx={{ mt: 2 }}>
        <Button variant="contained" onClick={submit} disabled={saving.isLoading}>
          Save the questions and continue
        </Button>
      </Box>
    </Box>
  );
}

function ItemRow({
  label,
  item,
  fieldPrefix,
  problemAt,
  onChange,
  onRemove,
}: {
  label: string;
  item: Item;
  fieldPrefix: string;
  problemAt: (field: string) => string | undefined;
  onChange: (item: Item) => void;
  onRemove: () => void;
}) {
  const pool = item.candidates.length > 1;
  const drawError = problemAt(`${fieldPrefix}.draw`) ?? (pool ? drawProblem(item) : null);
  const number = (value: string) => (value === "" ? NaN : Number(value));
  return (
    <Box component="li">
      <Stack direction={{ xs: "column", md: "row" }} spacing={2} sx={{ alignItems: "flex-start" }}>
        <Box sx={{ flexGrow: 1 }}>
          <Typography sx={{ fontWeight: 600 }}>
            {pool ? `Pool: draw ${item.draw} of ${item.candidates.length}` : "Fixed question"}
          </Typography>
          <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {item.candidates.map((c) => (
              <li key={c.question_id}>
                <Typography variant="body2">{c.stem ?? c.question_id}</Typography>
              </li>
            ))}
          </Box>
          {problemAt(`${fieldPrefix}.candidates`) && (
            <Typography variant="body2" color="error" role="alert">
              {problemAt(`${fieldPrefix}.candidates`)}
            </Typography>
          )}
        </Box>
        {pool && (
          <TextField
            id={`wizard-${fieldPrefix}.draw`}
            label={`Draw (${label})`}
            type="number"
            size="small"
            value={Number.isNaN(item.draw) ? "" : item.draw}
            onChange={(e) => onChange({ ...item, draw: number(e.target.value) })}
            error={Boolean(drawError)}
            helperText={drawError ?? `of ${item.candidates.length} questions`}
            slotProps={{ htmlInput: { min: 1, max: item.candidates.length } }}
            sx={{ width: 200 }}
          />
        )}
        <TextField
          id={`wizard-${fieldPrefix}.points`}
          label={`Points (${label})`}
          type="number"
          size="small"
          value={Number.isNaN(item.points) ? "" : item.points}
          onChange={(e) => onChange({ ...item, points: number(e.target.value) })}
          error={Boolean(problemAt(`${fieldPrefix}.points`))}
          helperText={problemAt(`${fieldPrefix}.points`) ?? "per question"}
          slotProps={{ htmlInput: { min: 0, step: 0.5 } }}
          sx={{ width: 200 }}
        />
        <Button color="error" onClick={onRemove} aria-label={`Remove ${label}`}>
          Remove
        </Button>
      </Stack>
    </Box>
  );
}

/** Searches the bank; the ticked questions go in as fixed questions or as one pool. */
function BankPicker({
  sections,
  inExam,
  onAdd,
}: {
  sections: Section[];
  inExam: Set<string>;
  onAdd: (sectionIndex: number, candidates: Candidate[], asPool: boolean) => void;
}) {
  const [text, setText] = useState("");
  const [picked, setPicked] = useState<Record<string, Candidate>>({});
  const [target, setTarget] = useState(0);
  const q = useDebounced(text);
  const { data, isLoading, error } = useSearchQuestionsV1QuestionsGetQuery(
    { q: q || undefined, status: "active", sort: q ? "relevance" : "-updated_at", perPage: 10 },
    { refetchOnMountOrArgChange: true },
  );
  const chosen = Object.values(picked);

  function toggle(question: QuestionSummary) {
    const next = { ...picked };
    if (next[question.question_id]) delete next[question.question_id];
    else
      next[question.question_id] = {
        question_id: question.question_id,
        revision: question.revision,
        stem: question.stem,
      };
    setPicked(next);
  }

  function add(asPool: boolean) {
    onAdd(target, chosen, asPool);
    setPicked({});
  }

  return (
    <Paper variant="outlined" component="section" aria-labelledby="bank-heading" sx={{ p: 2 }}>
      <Typography id="bank-heading" component="h3" variant="h6">
        Add questions from your bank
      </Typography>
      <TextField
        label="Search the bank"
        value={text}
        onChange={(e) => setText(e.target.value)}
        size="small"
        fullWidth
        margin="dense"
      />
      <Failed message={problemsOf(error, []).general} />
      {isLoading ? (
        <Loading what="questions" />
      ) : !data?.items.length ? (
        <Empty>No questions match.</Empty>
      ) : (
        <Box component="ul" sx={{ listStyle: "none", p: 0, m: 0 }} aria-label="Questions found">
          {data.items.map((question) => (
            <li key={question.question_id}>
              <FormControlLabel
                control={
                  <Checkbox
                    checked={Boolean(picked[question.question_id])}
                    disabled={inExam.has(question.question_id)}
                    onChange={() => toggle(question)}
                  />
                }
                label={
                  <span>
                    {question.stem}{" "}
                    <Chip size="small" label={question.question_type.replace(/_/g, " ")} />
                    {inExam.has(question.question_id) && (
                      <Chip size="small" label="in the exam" sx={{ ml: 1 }} />
                    )}
                  </span>
                }
              />
            </li>
          ))}
        </Box>
      )}
      <Stack
        direction={{ xs: "column", sm: "row" }}
        spacing={2}
        sx={{ mt: 1, alignItems: "center" }}
      >
        {sections.length > 1 && (
          <TextField
            select
            label="Add to"
            size="small"
            value={target}
            onChange={(e) => setTarget(Number(e.target.value))}
            slotProps={{ select: { native: true } }}
          >
            {sections.map((s, i) => (
              <option key={s.section_id} value={i}>
                {s.title || `Section ${i + 1}`}
              </option>
            ))}
          </TextField>
        )}
        <Button variant="outlined" disabled={!chosen.length} onClick={() => add(false)}>
          Add as fixed questions ({chosen.length})
        </Button>
        <Button variant="outlined" disabled={chosen.length < 2} onClick={() => add(true)}>
          Add as a pool ({chosen.length})
        </Button>
      </Stack>
    </Paper>
  );
}

/** A reopened draft holds only the pinned questions' ids: their stems are looked up in the
 * bank once, a hundred at a time (ids the teacher may no longer see keep showing as ids). */
function useStems(sections: Section[], setSections: Dispatch<SetStateAction<Section[]>>) {
  const dispatch = useAppDispatch();
  const asked = useRef(new Set<string>());
  useEffect(() => {
    const missing = [
      ...new Set(
        sections
          .flatMap((s) => s.items.flatMap((i) => i.candidates))
          .filter((c) => c.stem === undefined && !asked.current.has(c.question_id))
          .map((c) => c.question_id),
      ),
    ];
    if (!missing.length) return;
    missing.forEach((id) => asked.current.add(id));
    const chunks = [];
    for (let i = 0; i < missing.length; i += 100) chunks.push(missing.slice(i, i + 100));
    void Promise.all(
      chunks.map((id) =>
        dispatch(
          queryApi.endpoints.searchQuestionsV1QuestionsGet.initiate(
            { id, perPage: 100 },
            { subscribe: false },
          ),
        ).unwrap(),
      ),
    ).then(
      (pages) => {
        const stems = new Map(pages.flatMap((p) => p.items).map((q) => [q.question_id, q.stem]));
        setSections((current) =>
          current.map((s) => ({
            ...s,
            items: s.items.map((item) => ({
              ...item,
              candidates: item.candidates.map((c) =>
                c.stem === undefined && stems.has(c.question_id)
                  ? { ...c, stem: stems.get(c.question_id) }
                  : c,
              ),
            })),
          })),
        );
      },
      () => undefined,
    ); // not found or refused: the ids keep showing
  }, [sections, setSections, dispatch]);
}
