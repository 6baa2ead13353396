import { baseApi as api } from "./base";
const injectedRtkApi = api.injectEndpoints({
  endpoints: (build) => ({
    meV1AuthMeGet: build.query<MeV1AuthMeGetApiResponse, MeV1AuthMeGetApiArg>({
      query: () => ({ url: `/v1/auth/me` }),
    }),
    listExamsV1ExamsGet: build.query<ListExamsV1ExamsGetApiResponse, ListExamsV1ExamsGetApiArg>({
      query: (queryArg) => ({
        url: `/v1/exams`,
        params: {
          status: queryArg.status,
          sort: queryArg.sort,
          mine: queryArg.mine,
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
  }),
  overrideExisting: false,
});
export { injectedRtkApi as queryApi };
export type MeV1AuthMeGetApiResponse = /** status 200 Successful Response */ UserView;
export type MeV1AuthMeGetApiArg = void;
export type ListExamsV1ExamsGetApiResponse = /** status 200 Successful Response */ ExamPage;
export type ListExamsV1ExamsGetApiArg = {
  status?: ("draft" | "published") | null;
  sort?: "window_opens_at" | "-window_opens_at" | "created_at" | "-created_at" | "title";
  /** only exams you teach */
  mine?: boolean;
  /** 1-based page number */
  page?: number;
  /** items per page */
  perPage?: number;
};
export type GetExamV1ExamsExamIdGetApiResponse = /** status 200 Successful Response */ ExamDocument;
export type GetExamV1ExamsExamIdGetApiArg = {
  examId: string;
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
export type UserView = {
  disabled: boolean;
  email: string;
  name: string;
  registered_at: any;
  role: string;
  user_id: string;
  version: number;
};
export type ExamSummary = {
  created_at: string;
  duration_minutes: number;
  exam_id: string;
  published_at: string | null;
  status: string;
  teacher_id: string;
  title: string;
  version: number;
  window_closes_at: string | null;
  window_opens_at: string | null;
};
export type ExamPage = {
  items: ExamSummary[];
  page: number;
  per_page: number;
  total: number;
  total_is_exact: boolean;
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
export type ExamDocument = {
  created_at: string;
  description: string;
  duration_minutes: number;
  exam_id: string;
  instructions: string;
  published_at?: string | null;
  status: string;
  teacher_id: string;
  title: string;
  updated_at: string;
  version: number;
  window_closes_at?: string | null;
  window_opens_at?: string | null;
};
export type UserPage = {
  items: UserView[];
  page: number;
  per_page: number;
  total: number;
  total_is_exact: boolean;
};
export type Role = "student" | "teacher" | "proctor" | "admin";
export const {
  useMeV1AuthMeGetQuery,
  useListExamsV1ExamsGetQuery,
  useGetExamV1ExamsExamIdGetQuery,
  useListUsersV1UsersGetQuery,
} = injectedRtkApi;
