import { baseApi as api } from "./base";
const injectedRtkApi = api.injectEndpoints({
  endpoints: (build) => ({
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
export type PublishExamV1ExamsExamIdPublishPostApiResponse =
  /** status 200 Successful Response */ ExamCommandResult;
export type PublishExamV1ExamsExamIdPublishPostApiArg = {
  examId: string;
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  "If-Match"?: string | null;
};
export type CreateUserV1UsersPostApiResponse = /** status 201 Successful Response */ UserOut;
export type CreateUserV1UsersPostApiArg = {
  /** The client-made command id (a UUID). */
  "Idempotency-Key": string;
  createUserIn: CreateUserIn;
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
export type ExamCommandResult = {
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
export type Role = "student" | "teacher" | "proctor" | "admin";
export type CreateUserIn = {
  email: string;
  name: string;
  password: string;
  role: Role;
};
export type DisableIn = {
  reason?: string | null;
};
export type RoleIn = {
  role: Role;
};
export const {
  useLoginV1AuthLoginPostMutation,
  useLogoutV1AuthLogoutPostMutation,
  useUpdateMeV1AuthMePutMutation,
  useRefreshV1AuthRefreshPostMutation,
  useRegisterV1AuthRegisterPostMutation,
  useDraftExamV1ExamsPostMutation,
  useDeleteExamV1ExamsExamIdDeleteMutation,
  useUpdateExamV1ExamsExamIdPutMutation,
  usePublishExamV1ExamsExamIdPublishPostMutation,
  useCreateUserV1UsersPostMutation,
  useDisableUserV1UsersUserIdDisablePostMutation,
  useEnableUserV1UsersUserIdEnablePostMutation,
  useChangeRoleV1UsersUserIdRolePutMutation,
} = injectedRtkApi;
