import { baseApi as api } from "./base";
const injectedRtkApi = api.injectEndpoints({
  endpoints: (build) => ({
    examAnalyticsV1AnalyticsExamsExamIdGet: build.query<
      ExamAnalyticsV1AnalyticsExamsExamIdGetApiResponse,
      ExamAnalyticsV1AnalyticsExamsExamIdGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/analytics/exams/${queryArg.examId}` }),
    }),
    exportItemStatisticsV1AnalyticsExamsExamIdExportGet: build.query<
      ExportItemStatisticsV1AnalyticsExamsExamIdExportGetApiResponse,
      ExportItemStatisticsV1AnalyticsExamsExamIdExportGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/analytics/exams/${queryArg.examId}/export` }),
    }),
    studentTrendV1AnalyticsStudentsStudentIdGet: build.query<
      StudentTrendV1AnalyticsStudentsStudentIdGetApiResponse,
      StudentTrendV1AnalyticsStudentsStudentIdGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/analytics/students/${queryArg.studentId}` }),
    }),
    listOwnAttemptsV1AttemptsGet: build.query<
      ListOwnAttemptsV1AttemptsGetApiResponse,
      ListOwnAttemptsV1AttemptsGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/attempts`,
        params: {
          exam_id: queryArg.examId,
        },
      }),
    }),
    getAttemptV1AttemptsAttemptIdGet: build.query<
      GetAttemptV1AttemptsAttemptIdGetApiResponse,
      GetAttemptV1AttemptsAttemptIdGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/attempts/${queryArg.attemptId}` }),
    }),
    attemptGradesV1AttemptsAttemptIdGradesGet: build.query<
      AttemptGradesV1AttemptsAttemptIdGradesGetApiResponse,
      AttemptGradesV1AttemptsAttemptIdGradesGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/attempts/${queryArg.attemptId}/grades` }),
    }),
    meV1AuthMeGet: build.query<MeV1AuthMeGetApiResponse, MeV1AuthMeGetApiArg>({
      query: () => ({ url: `/v1/auth/me` }),
    }),
    myNotificationsV1AuthMeNotificationsGet: build.query<
      MyNotificationsV1AuthMeNotificationsGetApiResponse,
      MyNotificationsV1AuthMeNotificationsGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/auth/me/notifications`,
        params: {
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
    listCohortsV1CohortsGet: build.query<
      ListCohortsV1CohortsGetApiResponse,
      ListCohortsV1CohortsGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/cohorts`,
        params: {
          q: queryArg.q,
          mine: queryArg.mine,
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
    getCohortV1CohortsCohortIdGet: build.query<
      GetCohortV1CohortsCohortIdGetApiResponse,
      GetCohortV1CohortsCohortIdGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/cohorts/${queryArg.cohortId}` }),
    }),
    listExamsV1ExamsGet: build.query<ListExamsV1ExamsGetApiResponse, ListExamsV1ExamsGetApiArg>({
      query: (queryArg) => ({
        url: `/v1/exams`,
        params: {
          status: queryArg.status,
          sort: queryArg.sort,
          mine: queryArg.mine,
          q: queryArg.q,
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
    getExamV1ExamsExamIdGet: build.query<
      GetExamV1ExamsExamIdGetApiResponse,
      GetExamV1ExamsExamIdGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/exams/${queryArg.examId}` }),
    }),
    listAssignmentsV1ExamsExamIdAssignmentsGet: build.query<
      ListAssignmentsV1ExamsExamIdAssignmentsGetApiResponse,
      ListAssignmentsV1ExamsExamIdAssignmentsGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/assignments`,
        params: {
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
    examGradesV1ExamsExamIdGradesGet: build.query<
      ExamGradesV1ExamsExamIdGradesGetApiResponse,
      ExamGradesV1ExamsExamIdGradesGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/grades`,
        params: {
          status: queryArg.status,
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
    exportGradesV1ExamsExamIdGradesExportGet: build.query<
      ExportGradesV1ExamsExamIdGradesExportGetApiResponse,
      ExportGradesV1ExamsExamIdGradesExportGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/exams/${queryArg.examId}/grades/export` }),
    }),
    gradingQueueV1ExamsExamIdGradingQueueGet: build.query<
      GradingQueueV1ExamsExamIdGradingQueueGetApiResponse,
      GradingQueueV1ExamsExamIdGradingQueueGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/grading-queue`,
        params: {
          question_id: queryArg.questionId,
          state: queryArg.state,
          names: queryArg.names,
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
    examProgressV1ExamsExamIdProgressGet: build.query<
      ExamProgressV1ExamsExamIdProgressGetApiResponse,
      ExamProgressV1ExamsExamIdProgressGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/exams/${queryArg.examId}/progress`,
        params: {
          state: queryArg.state,
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
    mediaLinkV1MediaMediaIdGet: build.query<
      MediaLinkV1MediaMediaIdGetApiResponse,
      MediaLinkV1MediaMediaIdGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/media/${queryArg.mediaId}` }),
    }),
    searchQuestionsV1QuestionsGet: build.query<
      SearchQuestionsV1QuestionsGetApiResponse,
      SearchQuestionsV1QuestionsGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions`,
        params: {
          q: queryArg.q,
          type: queryArg["type"],
          tag: queryArg.tag,
          difficulty: queryArg.difficulty,
          owner: queryArg.owner,
          status: queryArg.status,
          id: queryArg.id,
          sort: queryArg.sort,
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
    getQuestionV1QuestionsQuestionIdGet: build.query<
      GetQuestionV1QuestionsQuestionIdGetApiResponse,
      GetQuestionV1QuestionsQuestionIdGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/questions/${queryArg.questionId}` }),
    }),
    previewQuestionV1QuestionsQuestionIdPreviewGet: build.query<
      PreviewQuestionV1QuestionsQuestionIdPreviewGetApiResponse,
      PreviewQuestionV1QuestionsQuestionIdPreviewGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/questions/${queryArg.questionId}/preview` }),
    }),
    listRevisionsV1QuestionsQuestionIdRevisionsGet: build.query<
      ListRevisionsV1QuestionsQuestionIdRevisionsGetApiResponse,
      ListRevisionsV1QuestionsQuestionIdRevisionsGetApiArg
    >({
      query: (queryArg) => ({ url: `/v1/questions/${queryArg.questionId}/revisions` }),
    }),
    getRevisionV1QuestionsQuestionIdRevisionsRevisionGet: build.query<
      GetRevisionV1QuestionsQuestionIdRevisionsRevisionGetApiResponse,
      GetRevisionV1QuestionsQuestionIdRevisionsRevisionGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/questions/${queryArg.questionId}/revisions/${queryArg.revision}`,
      }),
    }),
    listUsersV1UsersGet: build.query<ListUsersV1UsersGetApiResponse, ListUsersV1UsersGetApiArg>({
      query: (queryArg) => ({
        url: `/v1/users`,
        params: {
          q: queryArg.q,
          role: queryArg.role,
          disabled: queryArg.disabled,
          sort: queryArg.sort,
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
    userNotificationsV1UsersUserIdNotificationsGet: build.query<
      UserNotificationsV1UsersUserIdNotificationsGetApiResponse,
      UserNotificationsV1UsersUserIdNotificationsGetApiArg
    >({
      query: (queryArg) => ({
        url: `/v1/users/${queryArg.userId}/notifications`,
        params: {
          page: queryArg.page,
          per_page: queryArg.perPage,
        },
      }),
    }),
  }),
  overrideExisting: false,
});
export { injectedRtkApi as queryApi };
export type ExamAnalyticsV1AnalyticsExamsExamIdGetApiResponse =
  /** status 200 Successful Response */ ExamAnalytics;
export type ExamAnalyticsV1AnalyticsExamsExamIdGetApiArg = {
  examId: string;
};
export type ExportItemStatisticsV1AnalyticsExamsExamIdExportGetApiResponse =
  /** status 200 Successful Response */ ExportedFile;
export type ExportItemStatisticsV1AnalyticsExamsExamIdExportGetApiArg = {
  examId: string;
};
export type StudentTrendV1AnalyticsStudentsStudentIdGetApiResponse =
  /** status 200 Successful Response */ StudentTrend;
export type StudentTrendV1AnalyticsStudentsStudentIdGetApiArg = {
  studentId: string;
};
export type ListOwnAttemptsV1AttemptsGetApiResponse =
  /** status 200 Successful Response */ AttemptList;
export type ListOwnAttemptsV1AttemptsGetApiArg = {
  examId?: string | null;
};
export type GetAttemptV1AttemptsAttemptIdGetApiResponse =
  /** status 200 Successful Response */ AttemptView;
export type GetAttemptV1AttemptsAttemptIdGetApiArg = {
  attemptId: string;
};
export type AttemptGradesV1AttemptsAttemptIdGradesGetApiResponse =
  /** status 200 Successful Response */ AttemptGrades;
export type AttemptGradesV1AttemptsAttemptIdGradesGetApiArg = {
  attemptId: string;
};
export type MeV1AuthMeGetApiResponse = /** status 200 Successful Response */ UserView;
export type MeV1AuthMeGetApiArg = void;
export type MyNotificationsV1AuthMeNotificationsGetApiResponse =
  /** status 200 Successful Response */ NotificationPage;
export type MyNotificationsV1AuthMeNotificationsGetApiArg = {
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type ListCohortsV1CohortsGetApiResponse = /** status 200 Successful Response */ CohortPage;
export type ListCohortsV1CohortsGetApiArg = {
  q?: string | null;
  mine?: boolean;
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type GetCohortV1CohortsCohortIdGetApiResponse =
  /** status 200 Successful Response */ CohortDetail;
export type GetCohortV1CohortsCohortIdGetApiArg = {
  cohortId: string;
};
export type ListExamsV1ExamsGetApiResponse = /** status 200 Successful Response */ ExamPage;
export type ListExamsV1ExamsGetApiArg = {
  status?: ("draft" | "published") | null;
  sort?: "window_opens_at" | "-window_opens_at" | "created_at" | "-created_at" | "title";
  /** only exams you teach */
  mine?: boolean;
  /** title contains (any case) */
  q?: string | null;
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type GetExamV1ExamsExamIdGetApiResponse = /** status 200 Successful Response */ ExamDocument;
export type GetExamV1ExamsExamIdGetApiArg = {
  examId: string;
};
export type ListAssignmentsV1ExamsExamIdAssignmentsGetApiResponse =
  /** status 200 Successful Response */ AssignmentPage;
export type ListAssignmentsV1ExamsExamIdAssignmentsGetApiArg = {
  examId: string;
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type ExamGradesV1ExamsExamIdGradesGetApiResponse =
  /** status 200 Successful Response */ ExamGrades;
export type ExamGradesV1ExamsExamIdGradesGetApiArg = {
  examId: string;
  /** only attempts in this state */
  status?: ("grading" | "graded") | null;
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type ExportGradesV1ExamsExamIdGradesExportGetApiResponse =
  /** status 200 Successful Response */ ExportedFile;
export type ExportGradesV1ExamsExamIdGradesExportGetApiArg = {
  examId: string;
};
export type GradingQueueV1ExamsExamIdGradingQueueGetApiResponse =
  /** status 200 Successful Response */ GradingQueue;
export type GradingQueueV1ExamsExamIdGradingQueueGetApiArg = {
  examId: string;
  /** the question to grade */
  questionId: string;
  /** pending: still to grade (default); graded; all */
  state?: "pending" | "graded" | "all";
  /** show the students' names */
  names?: boolean;
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type ExamProgressV1ExamsExamIdProgressGetApiResponse =
  /** status 200 Successful Response */ ExamProgress;
export type ExamProgressV1ExamsExamIdProgressGetApiArg = {
  examId: string;
  /** only students in this state */
  state?: ("not_started" | "in_progress" | "paused" | "submitted") | null;
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type MediaLinkV1MediaMediaIdGetApiResponse = /** status 200 Successful Response */ MediaLink;
export type MediaLinkV1MediaMediaIdGetApiArg = {
  mediaId: string;
};
export type SearchQuestionsV1QuestionsGetApiResponse =
  /** status 200 Successful Response */ QuestionPage;
export type SearchQuestionsV1QuestionsGetApiArg = {
  /** words to find in the stem, options, topic and tags */
  q?: string | null;
  type?: QuestionType | null;
  /** questions with all these tags */
  tag?: string[] | null;
  difficulty?: Difficulty | null;
  /** an owner's user id, or 'me' */
  owner?: string | null;
  /** active unless `id` names the questions: then any */
  status?: QuestionStatus | null;
  /** these questions only (an exam's pinned questions, archived or not) */
  id?: string[] | null;
  sort?: "relevance" | "-updated_at" | "updated_at" | "difficulty" | "-difficulty";
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type GetQuestionV1QuestionsQuestionIdGetApiResponse =
  /** status 200 Successful Response */ QuestionDetail;
export type GetQuestionV1QuestionsQuestionIdGetApiArg = {
  questionId: string;
};
export type PreviewQuestionV1QuestionsQuestionIdPreviewGetApiResponse =
  /** status 200 Successful Response */ StudentQuestion;
export type PreviewQuestionV1QuestionsQuestionIdPreviewGetApiArg = {
  questionId: string;
};
export type ListRevisionsV1QuestionsQuestionIdRevisionsGetApiResponse =
  /** status 200 Successful Response */ RevisionSummary[];
export type ListRevisionsV1QuestionsQuestionIdRevisionsGetApiArg = {
  questionId: string;
};
export type GetRevisionV1QuestionsQuestionIdRevisionsRevisionGetApiResponse =
  /** status 200 Successful Response */ Revision;
export type GetRevisionV1QuestionsQuestionIdRevisionsRevisionGetApiArg = {
  questionId: string;
  revision: number;
};
export type ListUsersV1UsersGetApiResponse = /** status 200 Successful Response */ UserPage;
export type ListUsersV1UsersGetApiArg = {
  /** part of a name or email */
  q?: string | null;
  role?: Role | null;
  disabled?: boolean | null;
  sort?: "name" | "-name" | "email" | "registered_at" | "-registered_at";
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type UserNotificationsV1UsersUserIdNotificationsGetApiResponse =
  /** status 200 Successful Response */ NotificationPage;
export type UserNotificationsV1UsersUserIdNotificationsGetApiArg = {
  userId: string;
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type OptionStatistics = {
  correct: boolean;
  lower_share: number | null;
  option_id: string | null;
  picked: number;
  share: number | null;
  text: string | null;
  upper_share: number | null;
};
export type ItemStatistics = {
  answered: number;
  discrimination_index: number | null;
  facility: number | null;
  max_points: number;
  options?: OptionStatistics[] | null;
  point_biserial: number | null;
  question_id: string;
  question_type: string | null;
  seconds_mean?: number | null;
  seconds_median?: number | null;
  stem: string | null;
};
export type HistogramBin = {
  attempts: number;
  from_percent: number;
  to_percent: number;
};
export type ScoreStatistics = {
  highest: number | null;
  histogram: HistogramBin[];
  lowest: number | null;
  mean: number | null;
  mean_percent: number | null;
  median: number | null;
  pass_rate: number | null;
  std: number | null;
};
export type TimeBin = {
  attempts: number;
  from_minutes: number;
  to_minutes: number;
};
export type ExamAnalytics = {
  assigned: number;
  completion: number | null;
  exam_id: string;
  graded: number;
  pass_mark_percent: number | null;
  pending: number;
  questions: ItemStatistics[];
  score: ScoreStatistics;
  submitted: number;
  time_histogram: TimeBin[];
  time_minutes_mean: number | null;
  time_minutes_median: number | null;
  withheld?: boolean;
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
export type ExportedFile = {
  content_type: string;
  data_base64: string;
  filename: string;
};
export type ExamOutcome = {
  attempt_id: string;
  exam_id: string;
  exam_mean_percent: number | null;
  grade: string | null;
  graded_attempts: number;
  max_score: number;
  passed: boolean | null;
  percent: number;
  percentile_rank: number | null;
  score: number;
  submitted_at: string | null;
  title: string;
};
export type StudentTrend = {
  exams: ExamOutcome[];
  name: string | null;
  student_id: string;
};
export type YourResults = {
  complete: boolean;
  grade?: string | null;
  max_score: number;
  passed?: boolean | null;
  percent: number;
  score: number;
};
export type AttemptSummary = {
  answered: number;
  attempt_id: string;
  deadline: string;
  exam_id: string;
  number: number;
  paused_at: string | null;
  question_count: number;
  results?: YourResults | null;
  server_time: string;
  started_at: string;
  status: string;
  submit_reason: string | null;
  submitted_at: string | null;
};
export type AttemptList = {
  items: AttemptSummary[];
};
export type SavedAnswer = {
  answer: {
    [key: string]: any;
  } | null;
  client_seq: number;
  saved_at: string;
};
export type AttemptMedia = {
  content_type: string;
  url: string;
  url_expires_at: string;
};
export type StudentQuestion = {
  coding?: {
    [key: string]: any;
  } | null;
  estimated_minutes: number;
  max_words?: number | null;
  media_alt?: {
    [key: string]: string;
  };
  media_ids: string[];
  options?:
    | {
        [key: string]: string;
      }[]
    | null;
  pick?: ("one" | "many") | null;
  question_id: string;
  question_type: string;
  revision: number;
  rubric?:
    | {
        [key: string]: any;
      }[]
    | null;
  stem: string;
};
export type AttemptQuestionView = {
  points: number;
  question: StudentQuestion;
  section_id: string;
};
export type AttemptView = {
  answers: {
    [key: string]: SavedAnswer;
  };
  attempt_id: string;
  current_question_id?: string | null;
  deadline: string;
  exam_id: string;
  flagged?: string[];
  media?: {
    [key: string]: AttemptMedia;
  };
  navigation: string;
  number: number;
  paused_at?: string | null;
  questions: AttemptQuestionView[];
  server_time: string;
  started_at: string;
  status: string;
  submit_reason: string | null;
  submitted_at: string | null;
  version: number;
};
export type JudgedTest = {
  cpu_ms: number;
  message?: string;
  sample: boolean;
  status: string;
  test_id: string;
  wall_ms: number;
  weight: number;
};
export type JudgeReport = {
  compile_message?: string;
  compile_status: string;
  hidden_passed: number;
  hidden_total: number;
  language: string;
  tests: JudgedTest[];
};
export type QuestionMark = {
  detail?: string;
  graded: boolean;
  graded_at?: string | null;
  graded_by?: string | null;
  judge?: JudgeReport | null;
  max_points: number;
  method?: string | null;
  points?: number | null;
  question_id: string;
  revision?: number | null;
  teacher_feedback?: string | null;
};
export type AttemptGrades = {
  attempt_id: string;
  exam_id: string;
  grade?: string | null;
  graded_at: string | null;
  marks: QuestionMark[];
  max_score: number;
  opened_at: string;
  passed?: boolean | null;
  pending: string[];
  percent: number;
  score: number;
  status: string;
  student_id: string;
  version: number;
};
export type UserView = {
  disabled: boolean;
  email: string;
  exam_reminders?: boolean;
  name: string;
  registered_at: any;
  role: string;
  user_id: string;
  version: number;
};
export type NotificationView = {
  attempts: number;
  created_at: string;
  exam_id: string;
  exam_title: string | null;
  kind: string;
  last_error?: string | null;
  notification_id: string;
  reason: string | null;
  sent_at: string | null;
  status: string;
  subject: string | null;
};
export type NotificationPage = {
  items: NotificationView[];
  page: number;
  per_page: number;
  total: number;
  total_is_exact: boolean;
};
export type CohortSummary = {
  cohort_id: string;
  created_at: string;
  member_count: number;
  name: string;
  owner_id: string;
  updated_at: string;
  version: number;
};
export type CohortPage = {
  items: CohortSummary[];
  page: number;
  per_page: number;
  total: number;
  total_is_exact: boolean;
};
export type Member = {
  email: string | null;
  name: string | null;
  user_id: string;
};
export type CohortDetail = {
  cohort_id: string;
  created_at: string;
  member_count: number;
  members: Member[];
  name: string;
  owner_id: string;
  updated_at: string;
  version: number;
};
export type YourTerms = {
  extra_minutes: number;
  extra_percent: number;
  window_closes_at: string | null;
  window_opens_at: string | null;
};
export type ExamSummary = {
  created_at: string;
  duration_minutes: number;
  exam_id: string;
  published_at: string | null;
  question_count: number;
  status: string;
  teacher_id: string;
  title: string;
  total_points: number;
  version: number;
  window_closes_at: string | null;
  window_opens_at: string | null;
  your_terms?: YourTerms | null;
};
export type ExamPage = {
  items: ExamSummary[];
  page: number;
  per_page: number;
  total: number;
  total_is_exact: boolean;
};
export type ExamDocument = {
  created_at: string;
  description: string;
  duration_minutes: number;
  exam_id: string;
  instructions: string;
  published_at?: string | null;
  sections?:
    | {
        [key: string]: any;
      }[]
    | null;
  settings?: {
    [key: string]: any;
  } | null;
  shuffle_options?: boolean | null;
  shuffle_questions?: boolean | null;
  status: string;
  teacher_id: string;
  title: string;
  updated_at: string;
  version: number;
  window_closes_at?: string | null;
  window_opens_at?: string | null;
};
export type Assignment = {
  accommodation: {
    [key: string]: any;
  } | null;
  email: string | null;
  name: string | null;
  student_id: string;
};
export type AssignmentPage = {
  items: Assignment[];
  page: number;
  per_page: number;
  total: number;
  total_is_exact: boolean;
};
export type GradeSummary = {
  attempt_id: string;
  email: string | null;
  grade?: string | null;
  graded_at: string | null;
  max_score: number;
  name: string | null;
  passed?: boolean | null;
  pending_count: number;
  percent: number;
  score: number;
  status: string;
  student_id: string;
};
export type QuestionToGrade = {
  answers: number;
  max_points: number;
  pending: number;
  question_id: string;
  question_type: string | null;
  revision: number;
  stem: string | null;
};
export type ExamGrades = {
  attempts: number;
  exam_id: string;
  graded: number;
  items: GradeSummary[];
  page: number;
  pending_answers: number;
  per_page: number;
  questions: QuestionToGrade[];
  results_for: number;
  results_for_all: boolean;
  results_release: string;
  total: number;
  total_is_exact: boolean;
};
export type QueuedAnswer = {
  answer: {
    [key: string]: any;
  } | null;
  attempt_id: string;
  detail?: string;
  email?: string | null;
  graded: boolean;
  judge?: JudgeReport | null;
  label: string;
  max_points: number;
  method?: string | null;
  name?: string | null;
  points: number | null;
  rubric?: {
    [key: string]: number;
  } | null;
  teacher_feedback?: string | null;
};
export type OptionForGrading = {
  correct: boolean;
  option_id: string;
  text: string;
};
export type RubricLevelView = {
  description?: string;
  label: string;
  points: number;
};
export type RubricCriterionView = {
  criterion_id: string;
  levels: RubricLevelView[];
  title: string;
};
export type QuestionForGrading = {
  max_points: number;
  model_answer?: string;
  options?: OptionForGrading[];
  question_type: string;
  revision: number;
  rubric?: RubricCriterionView[];
  stem: string;
};
export type GradingQueue = {
  exam_id: string;
  items: QueuedAnswer[];
  page: number;
  pending: number;
  per_page: number;
  question: QuestionForGrading | null;
  question_id: string;
  total: number;
  total_is_exact: boolean;
};
export type StudentProgress = {
  answered: number;
  attempt_id: string | null;
  deadline: string | null;
  email: string | null;
  name: string | null;
  question_count: number | null;
  started_at: string | null;
  state: string;
  student_id: string;
  submit_reason: string | null;
  submitted_at: string | null;
};
export type ExamProgress = {
  assigned: number;
  auto_submitted: number;
  exam_id: string;
  in_progress: number;
  items: StudentProgress[];
  not_started: number;
  page: number;
  paused: number;
  per_page: number;
  server_time: string;
  submitted: number;
  total: number;
  total_is_exact: boolean;
};
export type MediaLink = {
  content_type: string;
  filename: string;
  media_id: string;
  size_bytes: number;
  url: string;
  url_expires_at: string;
};
export type QuestionSummary = {
  copied_from: string | null;
  created_at: string;
  difficulty: string;
  estimated_minutes: number;
  owner_id: string;
  question_id: string;
  question_type: string;
  revision: number;
  shared: boolean;
  status: string;
  stem: string;
  tags: string[];
  topic: string;
  updated_at: string;
  version: number;
};
export type QuestionPage = {
  items: QuestionSummary[];
  page: number;
  per_page: number;
  total: number;
  total_is_exact: boolean;
};
export type QuestionType =
  "single_choice" | "multiple_choice" | "true_false" | "short_answer" | "long_answer" | "coding";
export type Difficulty = "easy" | "medium" | "hard";
export type QuestionStatus = "active" | "archived";
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
export type Colleague = {
  email: string;
  name: string;
  user_id: string;
};
export type QuestionDetail = {
  content: QuestionContent;
  copied_from: string | null;
  created_at: string;
  difficulty: string;
  estimated_minutes: number;
  owner_id: string;
  question_id: string;
  question_type: string;
  revision: number;
  shared: boolean;
  shared_with: string[];
  shared_with_teachers: Colleague[];
  status: string;
  stem: string;
  tags: string[];
  topic: string;
  updated_at: string;
  version: number;
};
export type RevisionSummary = {
  changed: string[];
  restored_from?: number | null;
  revision: number;
  written_at: string;
  written_by: string;
  written_by_name: string | null;
};
export type Revision = {
  content: QuestionContent;
  question_id: string;
  restored_from?: number | null;
  revision: number;
  written_at: string;
  written_by: string;
};
export type UserPage = {
  items: UserView[];
  page: number;
  per_page: number;
  total: number;
  total_is_exact: boolean;
};
export type Role = "student" | "teacher" | "proctor" | "admin" | "analyst";
export const {
  useExamAnalyticsV1AnalyticsExamsExamIdGetQuery,
  useExportItemStatisticsV1AnalyticsExamsExamIdExportGetQuery,
  useStudentTrendV1AnalyticsStudentsStudentIdGetQuery,
  useListOwnAttemptsV1AttemptsGetQuery,
  useGetAttemptV1AttemptsAttemptIdGetQuery,
  useAttemptGradesV1AttemptsAttemptIdGradesGetQuery,
  useMeV1AuthMeGetQuery,
  useMyNotificationsV1AuthMeNotificationsGetQuery,
  useListCohortsV1CohortsGetQuery,
  useGetCohortV1CohortsCohortIdGetQuery,
  useListExamsV1ExamsGetQuery,
  useGetExamV1ExamsExamIdGetQuery,
  useListAssignmentsV1ExamsExamIdAssignmentsGetQuery,
  useExamGradesV1ExamsExamIdGradesGetQuery,
  useExportGradesV1ExamsExamIdGradesExportGetQuery,
  useGradingQueueV1ExamsExamIdGradingQueueGetQuery,
  useExamProgressV1ExamsExamIdProgressGetQuery,
  useMediaLinkV1MediaMediaIdGetQuery,
  useSearchQuestionsV1QuestionsGetQuery,
  useGetQuestionV1QuestionsQuestionIdGetQuery,
  usePreviewQuestionV1QuestionsQuestionIdPreviewGetQuery,
  useListRevisionsV1QuestionsQuestionIdRevisionsGetQuery,
  useGetRevisionV1QuestionsQuestionIdRevisionsRevisionGetQuery,
  useListUsersV1UsersGetQuery,
  useUserNotificationsV1UsersUserIdNotificationsGetQuery,
} = injectedRtkApi;
