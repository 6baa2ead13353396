// Your account, for every role: which emails you want (reminders before an exam opens can be
// turned off; exams assigned and results published always come), and the emails the platform
// sent you, or held back and why.
import {
  Box,
  FormControlLabel,
  Paper,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useState } from "react";
import { newCommandId } from "../../api/problems";
import { useSetMyNotificationsV1AuthMeNotificationsPutMutation } from "../../api/commandApi.generated";
import {
  useMeV1AuthMeGetQuery,
  useMyNotificationsV1AuthMeNotificationsGetQuery,
  type NotificationView,
} from "../../api/queryApi.generated";
import { formatMoment } from "../../time";
import { Empty, Failed, Loading, PageHeader } from "../shared";

const KIND: Record<string, string> = {
  exam_assigned: "Exam assigned",
  exam_reminder: "Reminder before the exam",
  results_published: "Results published",
};

const HELD_BACK: Record<string, string> = {
  reminders_off: "not sent: you turned reminders off",
  unassigned: "not sent: you were no longer assigned",
  no_attempt: "not sent: you have no attempt to see results of",
  exam_deleted: "not sent: the exam was deleted",
  account_disabled: "not sent: the account was disabled",
  erased: "not sent: personal data erased",
};

export function deliveryText(n: NotificationView): string {
  switch (n.status) {
    case "sent":
      return `Sent ${formatMoment(n.sent_at)}`;
    case "skipped":
      return HELD_BACK[n.reason ?? ""] ?? "not sent";
    case "failed":
      return "not delivered: the mail server refused it";
    default:
      return n.attempts > 1 ? "sending (trying again)" : "sending";
  }
}

export default function AccountPage() {
  const me = useMeV1AuthMeGetQuery();
  const history = useMyNotificationsV1AuthMeNotificationsGetQuery({ perPage: 50 });
  const [save, saving] = useSetMyNotificationsV1AuthMeNotificationsPutMutation();
  // What the command answered wins over a read model that has not caught up yet.
  const [chosen, setChosen] = useState<boolean | null>(null);
  if (me.isLoading) return <Loading what="your account" />;
  if (!me.data) return <Failed message="Your account could not be read; try again." />;
  const reminders = chosen ?? me.data.exam_reminders ?? true;

  async function toggle(on: boolean) {
    const answer = await save({
      "Idempotency-Key": newCommandId(),
      notificationPreferencesIn: { exam_reminders: on },
    });
    if (answer.data) setChosen(answer.data.exam_reminders);
  }

  return (
    <Box>
      <PageHeader title="Your account" />
      <Typography sx={{ mb: 2 }}>
        {me.data.name}, {me.data.email} ({me.data.role})
      </Typography>
      <Paper
        component="section"
        variant="outlined"
        sx={{ p: 2, mb: 3 }}
        aria-labelledby="email-heading"
      >
        <Typography id="email-heading" component="h2" variant="h6">
          Email
        </Typography>
        <Typography variant="body2" sx={{ mb: 1 }}>
          You are always emailed when an exam is assigned to you and when your results are
          published.
        </Typography>
        <FormControlLabel
          control={
            <Switch
              checked={reminders}
              disabled={saving.isLoading}
              onChange={(e) => void toggle(e.target.checked)}
            />
          }
          label="Email me a reminder the day before an exam opens"
        />
        {saving.isError && (
          <Typography role="alert" color="error">
            Your choice was not saved; try again.
          </Typography>
        )}
      </Paper>
      <Typography component="h2" variant="h6" sx={{ mb: 1 }}>
        Emails sent to you
      </Typography>
      {history.isLoading ? (
        <Loading what="your emails" />
      ) : !history.data?.items.length ? (
        <Empty>No email has been sent to you yet.</Empty>
      ) : (
        <Table size="small" aria-label="Emails sent to you">
          <TableHead>
            <TableRow>
              <TableCell scope="col">Email</TableCell>
              <TableCell scope="col">Exam</TableCell>
              <TableCell scope="col">Queued</TableCell>
              <TableCell scope="col">Delivery</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {history.data.items.map((n) => (
              <TableRow key={n.notification_id}>
                <TableCell component="th" scope="row">
                  {KIND[n.kind] ?? n.kind}
                </TableCell>
                <TableCell>{n.exam_title ?? n.exam_id}</TableCell>
                <TableCell>{formatMoment(n.created_at)}</TableCell>
                <TableCell>{deliveryText(n)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}
