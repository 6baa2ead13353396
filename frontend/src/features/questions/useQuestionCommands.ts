// Archive, restore and copy, as the bank's list and the editor both offer them; and bringing
// back an earlier revision, as its page offers it.
import { useNavigate } from "react-router";
import {
  useArchiveQuestionV1QuestionsQuestionIdArchivePostMutation,
  useCopyQuestionV1QuestionsQuestionIdCopyPostMutation,
  useRestoreQuestionV1QuestionsQuestionIdRestorePostMutation,
  useRestoreRevisionV1QuestionsQuestionIdRevisionsRevisionRestorePostMutation,
  type QuestionCommandResult,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import { useAppSelector } from "../../app/store";
import { useBankPath } from "./QuestionEditorPage";

/** Whether the signed-in user changes this question (its owner, or an admin); others it is
 * shared with read and copy it. */
export function useMayManage(ownerId: string | undefined): boolean {
  return mayManage(
    useAppSelector((s) => s.auth.user),
    ownerId,
  );
}

export function mayManage(
  user: { user_id: string; role: string } | null | undefined,
  ownerId: string | undefined,
): boolean {
  return Boolean(user && (user.role === "admin" || user.user_id === ownerId));
}

/**
 * How the editor is opened after a command: the copy it made (in the read model a moment
 * after the command) or the version it answered (the editor reads until it shows it).
 */
export type OpenedState = { notice: string; copied?: true; version?: number };

export function useQuestionCommands() {
  const navigate = useNavigate();
  const bank = useBankPath();
  const [archive, archiving] = useArchiveQuestionV1QuestionsQuestionIdArchivePostMutation();
  const [restore, restoring] = useRestoreQuestionV1QuestionsQuestionIdRestorePostMutation();
  const [copy, copying] = useCopyQuestionV1QuestionsQuestionIdCopyPostMutation();
  const [bringBack, bringingBack] =
    useRestoreRevisionV1QuestionsQuestionIdRevisionsRevisionRestorePostMutation();
  const error = archiving.error ?? restoring.error ?? copying.error ?? bringingBack.error;

  /** Archive (`archived` true) or restore; the answer, or undefined when refused. */
  async function setArchived(
    questionId: string,
    archived: boolean,
  ): Promise<QuestionCommandResult | undefined> {
    const args = { questionId, "Idempotency-Key": newCommandId() };
    return (archived ? await archive(args) : await restore(args)).data;
  }

  /** Copies the question into the user's bank and opens the copy in the editor. */
  async function copyAndOpen(questionId: string) {
    const answer = await copy({ questionId, "Idempotency-Key": newCommandId() });
    if (answer.data) {
      const state: OpenedState = {
        copied: true,
        notice: "This is your copy, in your bank: edit it as you like.",
      };
      navigate(`${bank}/${answer.data.question_id}`, { state });
    }
  }

  /** Brings `revision`'s content back as a new revision, then opens the editor on it.
   * `version`: the question's version as shown (a change since is refused, not overwritten). */
  async function restoreRevision(questionId: string, revision: number, version: number) {
    const answer = await bringBack({
      questionId,
      revision,
      "Idempotency-Key": newCommandId(),
      "If-Match": `"${version}"`,
    });
    if (answer.data) {
      const state: OpenedState = {
        notice: `Revision ${revision} is back, as revision ${answer.data.revision}.`,
        version: answer.data.version,
      };
      navigate(`${bank}/${questionId}`, { state });
    }
  }

  return {
    setArchived,
    copyAndOpen,
    restoreRevision,
    busy: archiving.isLoading || restoring.isLoading || copying.isLoading || bringingBack.isLoading,
    problem: problemsOf(error, []).general,
  };
}
