import { useState, type FormEvent } from "react";
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from "@mui/material";
import {
  type QuestionCommandResult,
  useShareQuestionV1QuestionsQuestionIdSharePostMutation,
  useUnshareQuestionV1QuestionsQuestionIdUnsharePostMutation,
} from "../../api/commandApi.generated";
import { entryProblems, newCommandId, pastedList, problemsOf } from "../../api/problems";
import type { Colleague } from "../../api/queryApi.generated";
import { Failed } from "../shared";

/**
 * Who a question is shared with (they may read and copy it), by their emails: a teacher
 * cannot list accounts, so colleagues are named as they are known. A wrong email is refused
 * by its place in the list, and nothing is shared until all are right.
 */
export function ShareDialog({
  questionId,
  sharedWith,
  open,
  onClose,
  onChanged,
}: {
  questionId: string;
  sharedWith: Colleague[];
  open: boolean;
  onClose: () => void;
  /** A share or unshare was accepted: the question's read model follows in a moment. */
  onChanged: (result: QuestionCommandResult) => void;
}) {
  const [share, sharing] = useShareQuestionV1QuestionsQuestionIdSharePostMutation();
  const [unshare, unsharing] = useUnshareQuestionV1QuestionsQuestionIdUnsharePostMutation();
  const [emails, setEmails] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [gone, setGone] = useState<string[]>([]); // taken off, until the read model says so
  const problems = entryProblems(problemsOf(sharing.error, ["teacher_emails"]), "teacher_emails");
  const unshareProblem = problemsOf(unsharing.error, []).general;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    const list = pastedList(emails);
    const answer = await share({
      questionId,
      "Idempotency-Key": newCommandId(),
      teachersIn: { teacher_emails: list },
    });
    if (answer.data) {
      setEmails("");
      setNotice(`Shared with ${list.length} more teacher(s): they may read and copy it.`);
      onChanged(answer.data);
    }
  }

  async function stop(teacher: Colleague) {
    setNotice(null);
    const answer = await unshare({
      questionId,
      "Idempotency-Key": newCommandId(),
      teachersIn: { teacher_ids: [teacher.user_id] },
    });
    if (answer.data) {
      setGone([...gone, teacher.user_id]);
      setNotice(`${teacher.name} no longer sees this question.`);
      onChanged(answer.data);
    }
  }

  const shown = sharedWith.filter((t) => !gone.includes(t.user_id));
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="share-title" fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="share-title">Share with teachers</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 1 }}>
            Teachers you share a question with can read and copy it; only you change it.
          </DialogContentText>
          <Failed message={problems.general ?? unshareProblem} />
          {notice && (
            <Alert severity="success" role="status" sx={{ mb: 2 }}>
              {notice}
            </Alert>
          )}
          <Typography component="h3" variant="subtitle1">
            Shared with
          </Typography>
          {shown.length === 0 ? (
            <Typography variant="body2" color="text.secondary">
              Nobody yet.
            </Typography>
          ) : (
            <List dense aria-label="Shared with">
              {shown.map((t) => (
                <ListItem
                  key={t.user_id}
                  secondaryAction={
                    <Button
                      size="small"
                      color="error"
                      onClick={() => stop(t)}
                      disabled={unsharing.isLoading}
                      aria-label={`Stop sharing with ${t.name}`}
                    >
                      Stop sharing
                    </Button>
                  }
                >
                  <ListItemText primary={t.name} secondary={t.email} />
                </ListItem>
              ))}
            </List>
          )}
          <TextField
            id="share-emails"
            label="Teacher emails (one per line)"
            multiline
            minRows={3}
            fullWidth
            margin="normal"
            value={emails}
            onChange={(e) => setEmails(e.target.value)}
            error={Boolean(problems.entries)}
            helperText={problems.entries}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Close</Button>
          <Button type="submit" variant="contained" disabled={sharing.isLoading || !emails.trim()}>
            Share
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
