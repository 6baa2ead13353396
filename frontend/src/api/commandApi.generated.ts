import { baseApi as api } from "./base";
const injectedRtkApi = api.injectEndpoints({
  endpoints: (build) => ({
    saveAnswerV1AttemptsAttemptIdAnswersQuestionIdPut: build.mutation<
      SaveAnswerV1AttemptsAttemptIdAnswersQuestionIdPutApiResponse,
      SaveAnswerV1AttemptsAttemptIdAnswersQuestionIdPutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/attempts/${queryArg.attemptId}/answers/${queryArg.questionId}`,
        method: "PUT",
        body: queryArg.saveIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    extendAttemptV1AttemptsAttemptIdExtendPost: build.mutation<
      ExtendAttemptV1AttemptsAttemptIdExtendPostApiResponse,
      ExtendAttemptV1AttemptsAttemptIdExtendPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/attempts/${queryArg.attemptId}/extend`,
        method: "POST",
        body: queryArg.attemptExtensionIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    gradeAnswerV1AttemptsAttemptIdGradesQuestionIdPut: build.mutation<
      GradeAnswerV1AttemptsAttemptIdGradesQuestionIdPutApiResponse,
      GradeAnswerV1AttemptsAttemptIdGradesQuestionIdPutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/attempts/${queryArg.attemptId}/grades/${queryArg.questionId}`,
        method: "PUT",
        body: queryArg.gradeIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    pauseAttemptV1AttemptsAttemptIdPausePost: build.mutation<
      PauseAttemptV1AttemptsAttemptIdPausePostApiResponse,
      PauseAttemptV1AttemptsAttemptIdPausePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/attempts/${queryArg.attemptId}/pause`,
        method: "POST",
        body: queryArg.attemptPauseIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    keepPlaceV1AttemptsAttemptIdPlacePut: build.mutation<
      KeepPlaceV1AttemptsAttemptIdPlacePutApiResponse,
      KeepPlaceV1AttemptsAttemptIdPlacePutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/attempts/${queryArg.attemptId}/place`,
        method: "PUT",
        body: queryArg.placeIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    resumeAttemptV1AttemptsAttemptIdResumePost: build.mutation<
      ResumeAttemptV1AttemptsAttemptIdResumePostApiResponse,
      ResumeAttemptV1AttemptsAttemptIdResumePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/attempts/${queryArg.attemptId}/resume`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    submitAttemptV1AttemptsAttemptIdSubmitPost: build.mutation<
      SubmitAttemptV1AttemptsAttemptIdSubmitPostApiResponse,
      SubmitAttemptV1AttemptsAttemptIdSubmitPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/attempts/${queryArg.attemptId}/submit`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    loginV1AuthLoginPost: build.mutation<
      LoginV1AuthLoginPostApiResponse,
      LoginV1AuthLoginPostApiArg
    >({
      query: (queryArg) => ({ url: `/v1/auth/login`, method: "POST", body: queryArg.loginIn }),
    }),
    logoutV1AuthLogoutPost: build.mutation<
      LogoutV1AuthLogoutPostApiResponse,
      LogoutV1AuthLogoutPostApiArg
    >({
      query: (queryArg) => ({ url: `/v1/auth/logout`, method: "POST", body: queryArg.logoutIn }),
    }),
    updateMeV1AuthMePut: build.mutation<UpdateMeV1AuthMePutApiResponse, UpdateMeV1AuthMePutApiArg>({
      query: (queryArg) => ({
        url: `/v1/auth/me`,
        method: "PUT",
        body: queryArg.profileIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    setMyNotificationsV1AuthMeNotificationsPut: build.mutation<
      SetMyNotificationsV1AuthMeNotificationsPutApiResponse,
      SetMyNotificationsV1AuthMeNotificationsPutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/auth/me/notifications`,
        method: "PUT",
        body: queryArg.notificationPreferencesIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    refreshV1AuthRefreshPost: build.mutation<
      RefreshV1AuthRefreshPostApiResponse,
      RefreshV1AuthRefreshPostApiArg
    >({
      query: (queryArg) => ({ url: `/v1/auth/refresh`, method: "POST", body: queryArg.refreshIn }),
    }),
    registerV1AuthRegisterPost: build.mutation<
      RegisterV1AuthRegisterPostApiResponse,
      RegisterV1AuthRegisterPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/auth/register`,
        method: "POST",
        body: queryArg.registerIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    createCohortV1CohortsPost: build.mutation<
      CreateCohortV1CohortsPostApiResponse,
      CreateCohortV1CohortsPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/cohorts`,
        method: "POST",
        body: queryArg.cohortIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    renameCohortV1CohortsCohortIdPut: build.mutation<
      RenameCohortV1CohortsCohortIdPutApiResponse,
      RenameCohortV1CohortsCohortIdPutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/cohorts/${queryArg.cohortId}`,
        method: "PUT",
        body: queryArg.renameIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    addMembersV1CohortsCohortIdMembersPost: build.mutation<
      AddMembersV1CohortsCohortIdMembersPostApiResponse,
      AddMembersV1CohortsCohortIdMembersPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/cohorts/${queryArg.cohortId}/members`,
        method: "POST",
        body: queryArg.membersIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    removeMembersV1CohortsCohortIdMembersRemovePost: build.mutation<
      RemoveMembersV1CohortsCohortIdMembersRemovePostApiResponse,
      RemoveMembersV1CohortsCohortIdMembersRemovePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/cohorts/${queryArg.cohortId}/members/remove`,
        method: "POST",
        body: queryArg.membersIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    draftExamV1ExamsPost: build.mutation<
      DraftExamV1ExamsPostApiResponse,
      DraftExamV1ExamsPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams`,
        method: "POST",
        body: queryArg.examIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    deleteExamV1ExamsExamIdDelete: build.mutation<
      DeleteExamV1ExamsExamIdDeleteApiResponse,
      DeleteExamV1ExamsExamIdDeleteApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}`,
        method: "DELETE",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
          "If-Match": queryArg["If-Match"],
        },
      }),
    }),
    updateExamV1ExamsExamIdPut: build.mutation<
      UpdateExamV1ExamsExamIdPutApiResponse,
      UpdateExamV1ExamsExamIdPutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}`,
        method: "PUT",
        body: queryArg.examIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
          "If-Match": queryArg["If-Match"],
        },
      }),
    }),
    withdrawAccommodationV1ExamsExamIdAccommodationsStudentIdDelete: build.mutation<
      WithdrawAccommodationV1ExamsExamIdAccommodationsStudentIdDeleteApiResponse,
      WithdrawAccommodationV1ExamsExamIdAccommodationsStudentIdDeleteApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/accommodations/${queryArg.studentId}`,
        method: "DELETE",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    grantAccommodationV1ExamsExamIdAccommodationsStudentIdPut: build.mutation<
      GrantAccommodationV1ExamsExamIdAccommodationsStudentIdPutApiResponse,
      GrantAccommodationV1ExamsExamIdAccommodationsStudentIdPutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/accommodations/${queryArg.studentId}`,
        method: "PUT",
        body: queryArg.accommodationIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    assignStudentsV1ExamsExamIdAssignPost: build.mutation<
      AssignStudentsV1ExamsExamIdAssignPostApiResponse,
      AssignStudentsV1ExamsExamIdAssignPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/assign`,
        method: "POST",
        body: queryArg.assignIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    cloneExamV1ExamsExamIdClonePost: build.mutation<
      CloneExamV1ExamsExamIdClonePostApiResponse,
      CloneExamV1ExamsExamIdClonePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/clone`,
        method: "POST",
        body: queryArg.cloneIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    extendExamWindowV1ExamsExamIdExtendPost: build.mutation<
      ExtendExamWindowV1ExamsExamIdExtendPostApiResponse,
      ExtendExamWindowV1ExamsExamIdExtendPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/extend`,
        method: "POST",
        body: queryArg.extendIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    publishExamV1ExamsExamIdPublishPost: build.mutation<
      PublishExamV1ExamsExamIdPublishPostApiResponse,
      PublishExamV1ExamsExamIdPublishPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/publish`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
          "If-Match": queryArg["If-Match"],
        },
      }),
    }),
    setExamQuestionsV1ExamsExamIdQuestionsPut: build.mutation<
      SetExamQuestionsV1ExamsExamIdQuestionsPutApiResponse,
      SetExamQuestionsV1ExamsExamIdQuestionsPutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/questions`,
        method: "PUT",
        body: queryArg.layoutIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
          "If-Match": queryArg["If-Match"],
        },
      }),
    }),
    regradeQuestionV1ExamsExamIdRegradePost: build.mutation<
      RegradeQuestionV1ExamsExamIdRegradePostApiResponse,
      RegradeQuestionV1ExamsExamIdRegradePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/regrade`,
        method: "POST",
        body: queryArg.regradeIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    publishResultsV1ExamsExamIdResultsPublishPost: build.mutation<
      PublishResultsV1ExamsExamIdResultsPublishPostApiResponse,
      PublishResultsV1ExamsExamIdResultsPublishPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/results/publish`,
        method: "POST",
        body: queryArg.resultsIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    changeExamSettingsV1ExamsExamIdSettingsPut: build.mutation<
      ChangeExamSettingsV1ExamsExamIdSettingsPutApiResponse,
      ChangeExamSettingsV1ExamsExamIdSettingsPutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/settings`,
        method: "PUT",
        body: queryArg.settingsIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
          "If-Match": queryArg["If-Match"],
        },
      }),
    }),
    startAttemptV1ExamsExamIdStartPost: build.mutation<
      StartAttemptV1ExamsExamIdStartPostApiResponse,
      StartAttemptV1ExamsExamIdStartPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/start`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    unassignStudentsV1ExamsExamIdUnassignPost: build.mutation<
      UnassignStudentsV1ExamsExamIdUnassignPostApiResponse,
      UnassignStudentsV1ExamsExamIdUnassignPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/unassign`,
        method: "POST",
        body: queryArg.unassignIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    offerUploadV1MediaPost: build.mutation<
      OfferUploadV1MediaPostApiResponse,
      OfferUploadV1MediaPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/media`,
        method: "POST",
        body: queryArg.uploadIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    confirmUploadV1MediaMediaIdConfirmPost: build.mutation<
      ConfirmUploadV1MediaMediaIdConfirmPostApiResponse,
      ConfirmUploadV1MediaMediaIdConfirmPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/media/${queryArg.mediaId}/confirm`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    authorQuestionV1QuestionsPost: build.mutation<
      AuthorQuestionV1QuestionsPostApiResponse,
      AuthorQuestionV1QuestionsPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions`,
        method: "POST",
        body: queryArg.questionContent,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    exportQuestionsV1QuestionsExportsPost: build.mutation<
      ExportQuestionsV1QuestionsExportsPostApiResponse,
      ExportQuestionsV1QuestionsExportsPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/exports`,
        method: "POST",
        body: queryArg.exportIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    csvTemplateV1QuestionsExportsTemplatePost: build.mutation<
      CsvTemplateV1QuestionsExportsTemplatePostApiResponse,
      CsvTemplateV1QuestionsExportsTemplatePostApiArg
    >({
      query: () => ({ url: `/v1/questions/exports/template`, method: "POST" }),
    }),
    importQuestionsV1QuestionsImportsPost: build.mutation<
      ImportQuestionsV1QuestionsImportsPostApiResponse,
      ImportQuestionsV1QuestionsImportsPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/imports`,
        method: "POST",
        body: queryArg.body,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
        params: {
          format: queryArg.format,
          only_valid: queryArg.onlyValid,
        },
      }),
    }),
    previewImportV1QuestionsImportsPreviewPost: build.mutation<
      PreviewImportV1QuestionsImportsPreviewPostApiResponse,
      PreviewImportV1QuestionsImportsPreviewPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/imports/preview`,
        method: "POST",
        body: queryArg.body,
        params: {
          format: queryArg.format,
        },
      }),
    }),
    reviseQuestionV1QuestionsQuestionIdPut: build.mutation<
      ReviseQuestionV1QuestionsQuestionIdPutApiResponse,
      ReviseQuestionV1QuestionsQuestionIdPutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/${queryArg.questionId}`,
        method: "PUT",
        body: queryArg.questionContent,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
          "If-Match": queryArg["If-Match"],
        },
      }),
    }),
    archiveQuestionV1QuestionsQuestionIdArchivePost: build.mutation<
      ArchiveQuestionV1QuestionsQuestionIdArchivePostApiResponse,
      ArchiveQuestionV1QuestionsQuestionIdArchivePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/${queryArg.questionId}/archive`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
          "If-Match": queryArg["If-Match"],
        },
      }),
    }),
    copyQuestionV1QuestionsQuestionIdCopyPost: build.mutation<
      CopyQuestionV1QuestionsQuestionIdCopyPostApiResponse,
      CopyQuestionV1QuestionsQuestionIdCopyPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/${queryArg.questionId}/copy`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    restoreQuestionV1QuestionsQuestionIdRestorePost: build.mutation<
      RestoreQuestionV1QuestionsQuestionIdRestorePostApiResponse,
      RestoreQuestionV1QuestionsQuestionIdRestorePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/${queryArg.questionId}/restore`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
          "If-Match": queryArg["If-Match"],
        },
      }),
    }),
    restoreRevisionV1QuestionsQuestionIdRevisionsRevisionRestorePost: build.mutation<
      RestoreRevisionV1QuestionsQuestionIdRevisionsRevisionRestorePostApiResponse,
      RestoreRevisionV1QuestionsQuestionIdRevisionsRevisionRestorePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/${queryArg.questionId}/revisions/${queryArg.revision}/restore`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
          "If-Match": queryArg["If-Match"],
        },
      }),
    }),
    shareQuestionV1QuestionsQuestionIdSharePost: build.mutation<
      ShareQuestionV1QuestionsQuestionIdSharePostApiResponse,
      ShareQuestionV1QuestionsQuestionIdSharePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/${queryArg.questionId}/share`,
        method: "POST",
        body: queryArg.teachersIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    unshareQuestionV1QuestionsQuestionIdUnsharePost: build.mutation<
      UnshareQuestionV1QuestionsQuestionIdUnsharePostApiResponse,
      UnshareQuestionV1QuestionsQuestionIdUnsharePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/${queryArg.questionId}/unshare`,
        method: "POST",
        body: queryArg.teachersIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    createUserV1UsersPost: build.mutation<
      CreateUserV1UsersPostApiResponse,
      CreateUserV1UsersPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/users`,
        method: "POST",
        body: queryArg.createUserIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    importAccountsV1UsersImportsPost: build.mutation<
      ImportAccountsV1UsersImportsPostApiResponse,
      ImportAccountsV1UsersImportsPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/users/imports`,
        method: "POST",
        body: queryArg.body,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
        params: {
          only_valid: queryArg.onlyValid,
        },
      }),
    }),
    previewAccountsV1UsersImportsPreviewPost: build.mutation<
      PreviewAccountsV1UsersImportsPreviewPostApiResponse,
      PreviewAccountsV1UsersImportsPreviewPostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/users/imports/preview`,
        method: "POST",
        body: queryArg.body,
      }),
    }),
    disableUserV1UsersUserIdDisablePost: build.mutation<
      DisableUserV1UsersUserIdDisablePostApiResponse,
      DisableUserV1UsersUserIdDisablePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/users/${queryArg.userId}/disable`,
        method: "POST",
        body: queryArg.disableIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    enableUserV1UsersUserIdEnablePost: build.mutation<
      EnableUserV1UsersUserIdEnablePostApiResponse,
      EnableUserV1UsersUserIdEnablePostApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/users/${queryArg.userId}/enable`,
        method: "POST",
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
    changeRoleV1UsersUserIdRolePut: build.mutation<
      ChangeRoleV1UsersUserIdRolePutApiResponse,
      ChangeRoleV1UsersUserIdRolePutApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/users/${queryArg.userId}/role`,
        method: "PUT",
        body: queryArg.roleIn,
        headers: {
          "Idempotency-Key": queryArg["Idempotency-Key"],
        },
      }),
    }),
  }),
  overrideExisting: false,
});
export { injectedRtkApi as commandApi };
export type SaveAnswerV1AttemptsAttemptIdAnswersQuestionIdPutApiResponse =
  /** status 200 Successful Response */ SaveReceipt;
export type SaveAnswerV1AttemptsAttemptIdAnswersQuestionIdPutApiArg = {
  attemptId: string;
  questionId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  saveIn: SaveIn;
};
export type ExtendAttemptV1AttemptsAttemptIdExtendPostApiResponse =
  /** status 200 Successful Response */ AttemptCommandResult;
export type ExtendAttemptV1AttemptsAttemptIdExtendPostApiArg = {
  attemptId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  attemptExtensionIn: AttemptExtensionIn;
};
export type GradeAnswerV1AttemptsAttemptIdGradesQuestionIdPutApiResponse =
  /** status 200 Successful Response */ GradeResult;
export type GradeAnswerV1AttemptsAttemptIdGradesQuestionIdPutApiArg = {
  attemptId: string;
  questionId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  gradeIn: GradeIn;
};
export type PauseAttemptV1AttemptsAttemptIdPausePostApiResponse =
  /** status 200 Successful Response */ AttemptCommandResult;
export type PauseAttemptV1AttemptsAttemptIdPausePostApiArg = {
  attemptId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  attemptPauseIn: AttemptPauseIn;
};
export type KeepPlaceV1AttemptsAttemptIdPlacePutApiResponse =
  /** status 200 Successful Response */ PlaceOut;
export type KeepPlaceV1AttemptsAttemptIdPlacePutApiArg = {
  attemptId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  placeIn: PlaceIn;
};
export type ResumeAttemptV1AttemptsAttemptIdResumePostApiResponse =
  /** status 200 Successful Response */ AttemptCommandResult;
export type ResumeAttemptV1AttemptsAttemptIdResumePostApiArg = {
  attemptId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
};
export type SubmitAttemptV1AttemptsAttemptIdSubmitPostApiResponse =
  /** status 200 Successful Response */ AttemptCommandResult;
export type SubmitAttemptV1AttemptsAttemptIdSubmitPostApiArg = {
  attemptId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
};
export type LoginV1AuthLoginPostApiResponse = /** status 200 Successful Response */ LoginOut;
export type LoginV1AuthLoginPostApiArg = {
  loginIn: LoginIn;
};
export type LogoutV1AuthLogoutPostApiResponse = unknown;
export type LogoutV1AuthLogoutPostApiArg = {
  logoutIn: LogoutIn;
};
export type UpdateMeV1AuthMePutApiResponse = /** status 200 Successful Response */ UserOut;
export type UpdateMeV1AuthMePutApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  profileIn: ProfileIn;
};
export type SetMyNotificationsV1AuthMeNotificationsPutApiResponse =
  /** status 200 Successful Response */ NotificationPreferencesOut;
export type SetMyNotificationsV1AuthMeNotificationsPutApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  notificationPreferencesIn: NotificationPreferencesIn;
};
export type RefreshV1AuthRefreshPostApiResponse = /** status 200 Successful Response */ TokensOut;
export type RefreshV1AuthRefreshPostApiArg = {
  refreshIn: RefreshIn;
};
export type RegisterV1AuthRegisterPostApiResponse = /** status 201 Successful Response */ UserOut;
export type RegisterV1AuthRegisterPostApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  registerIn: RegisterIn;
};
export type CreateCohortV1CohortsPostApiResponse =
  /** status 201 Successful Response */ CohortCommandResult;
export type CreateCohortV1CohortsPostApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  cohortIn: CohortIn;
};
export type RenameCohortV1CohortsCohortIdPutApiResponse =
  /** status 200 Successful Response */ CohortCommandResult;
export type RenameCohortV1CohortsCohortIdPutApiArg = {
  cohortId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  renameIn: RenameIn;
};
export type AddMembersV1CohortsCohortIdMembersPostApiResponse =
  /** status 200 Successful Response */ CohortCommandResult;
export type AddMembersV1CohortsCohortIdMembersPostApiArg = {
  cohortId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  membersIn: MembersIn;
};
export type RemoveMembersV1CohortsCohortIdMembersRemovePostApiResponse =
  /** status 200 Successful Response */ CohortCommandResult;
export type RemoveMembersV1CohortsCohortIdMembersRemovePostApiArg = {
  cohortId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  membersIn: MembersIn;
};
export type DraftExamV1ExamsPostApiResponse =
  /** status 201 Successful Response */ ExamCommandResult;
export type DraftExamV1ExamsPostApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  examIn: ExamIn;
};
export type DeleteExamV1ExamsExamIdDeleteApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type DeleteExamV1ExamsExamIdDeleteApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
};
export type UpdateExamV1ExamsExamIdPutApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type UpdateExamV1ExamsExamIdPutApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
  examIn: ExamIn;
};
export type WithdrawAccommodationV1ExamsExamIdAccommodationsStudentIdDeleteApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type WithdrawAccommodationV1ExamsExamIdAccommodationsStudentIdDeleteApiArg = {
  examId: string;
  studentId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
};
export type GrantAccommodationV1ExamsExamIdAccommodationsStudentIdPutApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type GrantAccommodationV1ExamsExamIdAccommodationsStudentIdPutApiArg = {
  examId: string;
  studentId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  accommodationIn: AccommodationIn;
};
export type AssignStudentsV1ExamsExamIdAssignPostApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type AssignStudentsV1ExamsExamIdAssignPostApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  assignIn: AssignIn;
};
export type CloneExamV1ExamsExamIdClonePostApiResponse =
  /** status 201 Successful Response */ ExamCommandResult;
export type CloneExamV1ExamsExamIdClonePostApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  cloneIn: CloneIn;
};
export type ExtendExamWindowV1ExamsExamIdExtendPostApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type ExtendExamWindowV1ExamsExamIdExtendPostApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  extendIn: ExtendIn;
};
export type PublishExamV1ExamsExamIdPublishPostApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type PublishExamV1ExamsExamIdPublishPostApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
};
export type SetExamQuestionsV1ExamsExamIdQuestionsPutApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type SetExamQuestionsV1ExamsExamIdQuestionsPutApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
  layoutIn: LayoutIn;
};
export type RegradeQuestionV1ExamsExamIdRegradePostApiResponse =
  /** status 200 Successful Response */ RegradeOut;
export type RegradeQuestionV1ExamsExamIdRegradePostApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  regradeIn: RegradeIn;
};
export type PublishResultsV1ExamsExamIdResultsPublishPostApiResponse =
  /** status 200 Successful Response */ ResultsOut;
export type PublishResultsV1ExamsExamIdResultsPublishPostApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  resultsIn: ResultsIn;
};
export type ChangeExamSettingsV1ExamsExamIdSettingsPutApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type ChangeExamSettingsV1ExamsExamIdSettingsPutApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
  settingsIn: SettingsIn;
};
export type StartAttemptV1ExamsExamIdStartPostApiResponse =
  /** status 200 Successful Response */ AttemptCommandResult;
export type StartAttemptV1ExamsExamIdStartPostApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
};
export type UnassignStudentsV1ExamsExamIdUnassignPostApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type UnassignStudentsV1ExamsExamIdUnassignPostApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  unassignIn: UnassignIn;
};
export type OfferUploadV1MediaPostApiResponse =
  /** status 201 Successful Response */ MediaCommandResult;
export type OfferUploadV1MediaPostApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  uploadIn: UploadIn;
};
export type ConfirmUploadV1MediaMediaIdConfirmPostApiResponse =
  /** status 200 Successful Response */ MediaCommandResult;
export type ConfirmUploadV1MediaMediaIdConfirmPostApiArg = {
  mediaId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
};
export type AuthorQuestionV1QuestionsPostApiResponse =
  /** status 201 Successful Response */ QuestionCommandResult;
export type AuthorQuestionV1QuestionsPostApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  questionContent: QuestionContent;
};
export type ExportQuestionsV1QuestionsExportsPostApiResponse =
  /** status 200 Successful Response */ QuestionExport;
export type ExportQuestionsV1QuestionsExportsPostApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  exportIn: ExportIn;
};
export type CsvTemplateV1QuestionsExportsTemplatePostApiResponse =
  /** status 200 Successful Response */ QuestionExport;
export type CsvTemplateV1QuestionsExportsTemplatePostApiArg = void;
export type ImportQuestionsV1QuestionsImportsPostApiResponse =
  /** status 201 Successful Response */ ImportResult;
export type ImportQuestionsV1QuestionsImportsPostApiArg = {
  format?: "csv" | "qti" | "moodle_xml";
  /** import the valid rows and skip the others (after a preview) */
  onlyValid?: boolean;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  body: Blob;
};
export type PreviewImportV1QuestionsImportsPreviewPostApiResponse =
  /** status 200 Successful Response */ ImportPreview;
export type PreviewImportV1QuestionsImportsPreviewPostApiArg = {
  format?: "csv" | "qti" | "moodle_xml";
  body: Blob;
};
export type ReviseQuestionV1QuestionsQuestionIdPutApiResponse =
  /** status 200 Successful Response */ QuestionCommandResult;
export type ReviseQuestionV1QuestionsQuestionIdPutApiArg = {
  questionId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
  questionContent: QuestionContent;
};
export type ArchiveQuestionV1QuestionsQuestionIdArchivePostApiResponse =
  /** status 200 Successful Response */ QuestionCommandResult;
export type ArchiveQuestionV1QuestionsQuestionIdArchivePostApiArg = {
  questionId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
};
export type CopyQuestionV1QuestionsQuestionIdCopyPostApiResponse =
  /** status 201 Successful Response */ QuestionCommandResult;
export type CopyQuestionV1QuestionsQuestionIdCopyPostApiArg = {
  questionId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
};
export type RestoreQuestionV1QuestionsQuestionIdRestorePostApiResponse =
  /** status 200 Successful Response */ QuestionCommandResult;
export type RestoreQuestionV1QuestionsQuestionIdRestorePostApiArg = {
  questionId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
};
export type RestoreRevisionV1QuestionsQuestionIdRevisionsRevisionRestorePostApiResponse =
  /** status 200 Successful Response */ QuestionCommandResult;
export type RestoreRevisionV1QuestionsQuestionIdRevisionsRevisionRestorePostApiArg = {
  questionId: string;
  revision: number;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
};
export type ShareQuestionV1QuestionsQuestionIdSharePostApiResponse =
  /** status 200 Successful Response */ QuestionCommandResult;
export type ShareQuestionV1QuestionsQuestionIdSharePostApiArg = {
  questionId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  teachersIn: TeachersIn;
};
export type UnshareQuestionV1QuestionsQuestionIdUnsharePostApiResponse =
  /** status 200 Successful Response */ QuestionCommandResult;
export type UnshareQuestionV1QuestionsQuestionIdUnsharePostApiArg = {
  questionId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  teachersIn: TeachersIn;
};
export type CreateUserV1UsersPostApiResponse = /** status 201 Successful Response */ UserOut;
export type CreateUserV1UsersPostApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  createUserIn: CreateUserIn;
};
export type ImportAccountsV1UsersImportsPostApiResponse =
  /** status 201 Successful Response */ AccountsImported;
export type ImportAccountsV1UsersImportsPostApiArg = {
  onlyValid?: boolean;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  body: Blob;
};
export type PreviewAccountsV1UsersImportsPreviewPostApiResponse =
  /** status 200 Successful Response */ AccountsPreview;
export type PreviewAccountsV1UsersImportsPreviewPostApiArg = {
  body: Blob;
};
export type DisableUserV1UsersUserIdDisablePostApiResponse =
  /** status 200 Successful Response */ UserOut;
export type DisableUserV1UsersUserIdDisablePostApiArg = {
  userId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  disableIn: DisableIn;
};
export type EnableUserV1UsersUserIdEnablePostApiResponse =
  /** status 200 Successful Response */ UserOut;
export type EnableUserV1UsersUserIdEnablePostApiArg = {
  userId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
};
export type ChangeRoleV1UsersUserIdRolePutApiResponse =
  /** status 200 Successful Response */ UserOut;
export type ChangeRoleV1UsersUserIdRolePutApiArg = {
  userId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  roleIn: RoleIn;
};
export type SaveReceipt = {
  client_seq: number;
  deadline: string;
  question_id: string;
  saved_at: string;
  server_time: string;
  superseded: boolean;
  version: number;
};
export type Error = {
  /** Stable, for programs */
  code: string;
  /** What went wrong, for people */
  detail: string;
  /** Every problem, when the request did not validate */
  errors?: Error[];
  /** The input at fault (a body field, a header, a parameter) */
  field: string | null;
  [key: string]: any;
};
export type AnswerIn = {
  code?: string | null;
  option_ids?: string[] | null;
  text?: string | null;
};
export type SaveIn = {
  answer: AnswerIn;
  /** The browser's count of its saves of this question: a save with a lower count than the one kept is acknowledged and not applied */
  client_seq: number;
};
export type AttemptCommandResult = {
  attempt_id: string;
  deadline: string | null;
  exam_id: string;
  number: number;
  paused_at?: string | null;
  server_time: string;
  started_at: string | null;
  status: string;
  submit_reason?: string | null;
  submitted_at?: string | null;
  version: number;
};
export type AttemptExtensionIn = {
  minutes: number;
  /** why (staff only; sealed: it can say something about the student) */
  reason?: string | null;
};
export type GradeResult = {
  attempt_id: string;
  max_points: number;
  max_score: number;
  pending: string[];
  points: number;
  question_id: string;
  score: number;
  status: string;
  version: number;
};
export type GradeIn = {
  /** for the student, shown once results are published (sealed: personal data) */
  feedback?: string | null;
  points?: number | null;
  rubric?: {
    [key: string]: number;
  } | null;
};
export type AttemptPauseIn = {
  reason?: string | null;
};
export type PlaceOut = {
  current_question_id: string | null;
  flagged: string[];
  version: number;
};
export type PlaceIn = {
  current_question_id?: string | null;
  flagged?: string[];
};
export type UserOut = {
  disabled?: boolean;
  email: string;
  name: string;
  role: string;
  user_id: string;
  version: number;
};
export type LoginOut = {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  token_type?: string;
  user: UserOut;
};
export type LoginIn = {
  email: string;
  password: string;
};
export type LogoutIn = {
  refresh_token?: string | null;
};
export type ProfileIn = {
  current_password?: string | null;
  name?: string | null;
  new_password?: string | null;
};
export type NotificationPreferencesOut = {
  exam_reminders: boolean;
  user_id: string;
};
export type NotificationPreferencesIn = {
  /** email me a reminder before an exam I am assigned opens */
  exam_reminders: boolean;
};
export type TokensOut = {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  token_type?: string;
};
export type RefreshIn = {
  refresh_token: string;
};
export type RegisterIn = {
  email: string;
  name: string;
  password: string;
};
export type CohortCommandResult = {
  cohort_id: string;
  member_count: number;
  name: string;
  version: number;
};
export type CohortIn = {
  emails?: string[];
  name: string;
  student_ids?: string[];
};
export type RenameIn = {
  name: string;
};
export type MembersIn = {
  emails?: string[];
  student_ids?: string[];
};
export type ExamCommandResult = {
  assigned_count: number;
  exam_id: string;
  status: string;
  version: number;
};
export type ExamIn = {
  description?: string;
  duration_minutes: number;
  instructions?: string;
  title: string;
  window_closes_at?: string | null;
  window_opens_at?: string | null;
};
export type AccommodationIn = {
  extra_minutes?: number;
  extra_percent?: number;
  /** staff only */
  reason?: string | null;
  window_closes_at?: string | null;
  window_opens_at?: string | null;
};
export type AssignIn = {
  /** every member of these cohorts, as they are now */
  cohort_ids?: string[];
  emails?: string[];
  student_ids?: string[];
};
export type CloneIn = {
  title?: string | null;
};
export type ExtendIn = {
  window_closes_at: string;
};
export type CandidateIn = {
  question_id: string;
  /** the revision to pin; the current one when left out */
  revision?: number | null;
};
export type ItemIn = {
  candidates: CandidateIn[];
  draw?: number;
  item_id: string;
  points?: number;
};
export type SectionIn = {
  items: ItemIn[];
  section_id: string;
  title: string;
};
export type LayoutIn = {
  sections: SectionIn[];
  shuffle_options?: boolean;
  shuffle_questions?: boolean;
};
export type RegradeChange = {
  after: number | null;
  attempt_id: string;
  before: number | null;
  judging?: boolean;
  kept: string | null;
  student_id: string;
};
export type RegradeOut = {
  applied: boolean;
  attempts: number;
  changed: number;
  changes: RegradeChange[];
  exam_id: string;
  judging?: number;
  question_id: string;
  revision: number;
  to_grade?: number;
};
export type RegradeIn = {
  /** false: only show what would change (a preview); true: regrade */
  apply?: boolean;
  question_id: string;
  /** the revision whose key marks the answers again; leave it out for the latest */
  revision?: number | null;
};
export type ResultsOut = {
  exam_id: string;
  results_for: string[];
  results_for_all: boolean;
  version: number;
};
export type ResultsIn = {
  /** these students only; leave it out to publish to every student of the exam */
  student_ids?: string[] | null;
};
export type GradeBandIn = {
  /** A, B+, Merit... */
  letter: string;
  min_percent: number;
};
export type ProctoringSettings = {
  detectors?: string[];
  enabled?: boolean;
};
export type SettingsIn = {
  attempts_allowed?: number;
  /** the grades by percent; the lowest starts at 0 */
  grade_bands?: GradeBandIn[];
  late_entry_minutes?: number | null;
  navigation?: "free" | "linear";
  pass_mark_percent?: number | null;
  proctoring?: ProctoringSettings;
  results_release?: "when_graded" | "after_window" | "when_published";
};
export type UnassignIn = {
  student_ids: string[];
};
export type UploadForm = {
  expires_at: string;
  fields: {
    [key: string]: string;
  };
  url: string;
};
export type MediaCommandResult = {
  media_id: string;
  status: string;
  upload?: UploadForm | null;
  version: number;
};
export type UploadIn = {
  content_type: string;
  filename: string;
  size_bytes: number;
};
export type QuestionCommandResult = {
  question_id: string;
  revision: number;
  status: string;
  version: number;
};
export type ChoiceOption = {
  correct?: boolean;
  feedback?: string;
  option_id: string;
  text: string;
};
export type ChoiceSpec = {
  options: ChoiceOption[];
  scoring?: string;
  wrong_pick_penalty?: number;
};
export type CodeTest = {
  expected_stdout: string;
  stdin: string;
  test_id: string;
  weight?: number;
};
export type CodingSpec = {
  hidden_tests?: CodeTest[];
  language: string;
  memory_limit_mb?: number;
  sample_tests?: CodeTest[];
  starter_code?: string;
  time_limit_ms?: number;
};
export type RubricLevel = {
  description?: string;
  label: string;
  points: number;
};
export type RubricCriterion = {
  criterion_id: string;
  levels: RubricLevel[];
  title: string;
};
export type LongAnswerSpec = {
  max_words?: number | null;
  model_answer?: string;
  rubric?: RubricCriterion[];
};
export type AcceptedAnswer = {
  case_sensitive?: boolean;
  normalize_whitespace?: boolean;
  text: string;
};
export type NumericAnswer = {
  tolerance?: number;
  value: number;
};
export type ShortAnswerSpec = {
  accepted?: AcceptedAnswer[];
  numeric?: NumericAnswer | null;
  pattern?: string | null;
};
export type TrueFalseSpec = {
  correct: boolean;
};
export type QuestionContent = {
  choice?: ChoiceSpec | null;
  coding?: CodingSpec | null;
  difficulty?: string;
  estimated_minutes?: number;
  long_answer?: LongAnswerSpec | null;
  media_alt?: {
    [key: string]: string;
  };
  media_ids?: string[];
  question_type: string;
  short_answer?: ShortAnswerSpec | null;
  stem: string;
  tags?: string[];
  topic?: string;
  true_false?: TrueFalseSpec | null;
};
export type ExportedQuestion = {
  exported: boolean;
  not_mapped: string[];
  question_id: string;
};
export type QuestionExport = {
  content_type: string;
  data_base64: string;
  filename: string;
  questions: ExportedQuestion[];
};
export type ExportIn = {
  /** csv, or a QTI content package: qti21 (QTI 2.1) or qti30 (QTI 3.0); qti, the default, is QTI 2.1 (its name from before 3.0) */
  format?: "csv" | "qti" | "qti21" | "qti30";
  question_ids: string[];
};
export type ImportResult = {
  imported: number;
  question_ids: string[];
  skipped: string[];
  version?: number;
};
export type ItemProblem = {
  column: string | null;
  message: string;
};
export type PreviewItem = {
  errors: ItemProblem[];
  not_mapped: string[];
  position: string;
  question_type: string | null;
  stem: string | null;
  valid: boolean;
};
export type ImportPreview = {
  file_errors: string[];
  format: string;
  invalid: number;
  items: PreviewItem[];
  total: number;
  valid: number;
};
export type TeachersIn = {
  /** teachers' sign-in emails, as pasted */
  teacher_emails?: string[];
  teacher_ids?: string[];
};
export type Role = "student" | "teacher" | "proctor" | "admin" | "analyst";
export type CreateUserIn = {
  email: string;
  name: string;
  password: string;
  role: Role;
};
export type AccountsImported = {
  created: number;
  skipped: number[];
  user_ids: string[];
};
export type RowProblem = {
  column: string | null;
  message: string;
};
export type AccountPreview = {
  email: string | null;
  errors: RowProblem[];
  name: string | null;
  role: string | null;
  row: number;
  valid: boolean;
};
export type AccountsPreview = {
  file_errors: string[];
  invalid: number;
  rows: AccountPreview[];
  total: number;
  valid: number;
};
export type DisableIn = {
  reason?: string | null;
};
export type RoleIn = {
  role: Role;
};
export const {
  useSaveAnswerV1AttemptsAttemptIdAnswersQuestionIdPutMutation,
  useExtendAttemptV1AttemptsAttemptIdExtendPostMutation,
  useGradeAnswerV1AttemptsAttemptIdGradesQuestionIdPutMutation,
  usePauseAttemptV1AttemptsAttemptIdPausePostMutation,
  useKeepPlaceV1AttemptsAttemptIdPlacePutMutation,
  useResumeAttemptV1AttemptsAttemptIdResumePostMutation,
  useSubmitAttemptV1AttemptsAttemptIdSubmitPostMutation,
  useLoginV1AuthLoginPostMutation,
  useLogoutV1AuthLogoutPostMutation,
  useUpdateMeV1AuthMePutMutation,
  useSetMyNotificationsV1AuthMeNotificationsPutMutation,
  useRefreshV1AuthRefreshPostMutation,
  useRegisterV1AuthRegisterPostMutation,
  useCreateCohortV1CohortsPostMutation,
  useRenameCohortV1CohortsCohortIdPutMutation,
  useAddMembersV1CohortsCohortIdMembersPostMutation,
  useRemoveMembersV1CohortsCohortIdMembersRemovePostMutation,
  useDraftExamV1ExamsPostMutation,
  useDeleteExamV1ExamsExamIdDeleteMutation,
  useUpdateExamV1ExamsExamIdPutMutation,
  useWithdrawAccommodationV1ExamsExamIdAccommodationsStudentIdDeleteMutation,
  useGrantAccommodationV1ExamsExamIdAccommodationsStudentIdPutMutation,
  useAssignStudentsV1ExamsExamIdAssignPostMutation,
  useCloneExamV1ExamsExamIdClonePostMutation,
  useExtendExamWindowV1ExamsExamIdExtendPostMutation,
  usePublishExamV1ExamsExamIdPublishPostMutation,
  useSetExamQuestionsV1ExamsExamIdQuestionsPutMutation,
  useRegradeQuestionV1ExamsExamIdRegradePostMutation,
  usePublishResultsV1ExamsExamIdResultsPublishPostMutation,
  useChangeExamSettingsV1ExamsExamIdSettingsPutMutation,
  useStartAttemptV1ExamsExamIdStartPostMutation,
  useUnassignStudentsV1ExamsExamIdUnassignPostMutation,
  useOfferUploadV1MediaPostMutation,
  useConfirmUploadV1MediaMediaIdConfirmPostMutation,
  useAuthorQuestionV1QuestionsPostMutation,
  useExportQuestionsV1QuestionsExportsPostMutation,
  useCsvTemplateV1QuestionsExportsTemplatePostMutation,
  useImportQuestionsV1QuestionsImportsPostMutation,
  usePreviewImportV1QuestionsImportsPreviewPostMutation,
  useReviseQuestionV1QuestionsQuestionIdPutMutation,
  useArchiveQuestionV1QuestionsQuestionIdArchivePostMutation,
  useCopyQuestionV1QuestionsQuestionIdCopyPostMutation,
  useRestoreQuestionV1QuestionsQuestionIdRestorePostMutation,
  useRestoreRevisionV1QuestionsQuestionIdRevisionsRevisionRestorePostMutation,
  useShareQuestionV1QuestionsQuestionIdSharePostMutation,
  useUnshareQuestionV1QuestionsQuestionIdUnsharePostMutation,
  useCreateUserV1UsersPostMutation,
  useImportAccountsV1UsersImportsPostMutation,
  usePreviewAccountsV1UsersImportsPreviewPostMutation,
  useDisableUserV1UsersUserIdDisablePostMutation,
  useEnableUserV1UsersUserIdEnablePostMutation,
  useChangeRoleV1UsersUserIdRolePutMutation,
} = injectedRtkApi;
