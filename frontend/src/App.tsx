import { createElement, lazy, Suspense, type ComponentType } from "react";
import { CssBaseline, LinearProgress, ThemeProvider } from "@mui/material";
import { Navigate, Route, Routes } from "react-router";
import { useAppSelector } from "./app/store";
import { RequireRole, RequireSignedIn } from "./features/auth/RequireRole";
import { SignInPage } from "./features/auth/SignInPage";
import { Shell } from "./features/shell/Shell";
import { theme } from "./theme";

/** A page whose code loads on first use (each role's pages load only after sign-in: the
 * sign-in page ships the least JavaScript), or ahead with ``preload``: once loaded, it renders
 * at once. A page that suspends shows its fallback for at least 300 ms (React throttles the
 * reveal), which was most of the wait between signing in and the dashboard's query. */
function page(load: () => Promise<{ default: ComponentType }>) {
  let loaded: ComponentType | undefined;
  const preload = () =>
    load().then((module) => {
      loaded = module.default;
      return module;
    });
  const Lazy = lazy(preload);
  const Page = () => createElement(loaded ?? Lazy);
  return Object.assign(Page, { preload });
}

const UsersPage = page(() => import("./features/admin/UsersPage"));
const TeacherDashboard = page(() => import("./features/teacher/TeacherDashboard"));
const ExamProgressPage = page(() => import("./features/teacher/ExamProgressPage"));
const ExamGradesPage = page(() => import("./features/grading/ExamGradesPage"));
const GradingPage = page(() => import("./features/grading/GradingPage"));
const AnalyticsPage = page(() => import("./features/grading/AnalyticsPage"));
const StudentDashboard = page(() => import("./features/student/StudentDashboard"));
const ExamStartPage = page(() => import("./features/attempt/ExamStartPage"));
const AttemptPage = page(() => import("./features/attempt/AttemptPage"));
const ResultsPage = page(() => import("./features/grading/ResultsPage"));
const ProctorHome = page(() => import("./features/proctor/ProctorHome"));
const QuestionBankPage = page(() => import("./features/questions/QuestionBankPage"));
const QuestionEditorPage = page(() => import("./features/questions/QuestionEditorPage"));
const ImportPage = page(() => import("./features/questions/ImportPage"));
const QuestionHistoryPage = page(() => import("./features/questions/QuestionHistoryPage"));
const RevisionPage = page(() =>
  import("./features/questions/QuestionHistoryPage").then((m) => ({ default: m.RevisionPage })),
);
const ExamWizardPage = page(() => import("./features/wizard/ExamWizardPage"));
const GroupsPage = page(() => import("./features/groups/GroupsPage"));
const GroupPage = page(() => import("./features/groups/GroupPage"));
const AccountPage = page(() => import("./features/account/AccountPage"));
const ProgressPage = page(() => import("./features/grading/ProgressPage"));
const AnalystExamsPage = page(() => import("./features/analyst/AnalystExamsPage"));

const HOME_PAGES = {
  admin: UsersPage,
  teacher: TeacherDashboard,
  proctor: ProctorHome,
  analyst: AnalystExamsPage,
  student: StudentDashboard,
} as const;

/** Loads a role's home page (every role's while the role is not known yet), so that it shows
 * at once when sign-in lands there. A failure is left to the page itself to show. */
export function preloadHome(role?: string): Promise<unknown> {
  const pages = Object.entries(HOME_PAGES)
    .filter(([name]) => role === undefined || name === role)
    .map(([, home]) => home.preload().catch(() => undefined));
  return Promise.all(pages);
}

/** The question bank's pages, under /teacher/questions and /admin/questions. */
function bankRoutes(base: string) {
  return [
    <Route key="bank" path={`${base}/questions`} element={<QuestionBankPage />} />,
    <Route key="new" path={`${base}/questions/new`} element={<QuestionEditorPage />} />,
    <Route key="import" path={`${base}/questions/import`} element={<ImportPage />} />,
    <Route key="edit" path={`${base}/questions/:questionId`} element={<QuestionEditorPage />} />,
    <Route
      key="history"
      path={`${base}/questions/:questionId/history`}
      element={<QuestionHistoryPage />}
    />,
    <Route
      key="revision"
      path={`${base}/questions/:questionId/revisions/:revision`}
      element={<RevisionPage />}
    />,
  ];
}

/** Groups of students (cohorts), under /admin/groups and /teacher/groups. */
function groupRoutes(base: string) {
  return [
    <Route key="groups" path={`${base}/groups`} element={<GroupsPage />} />,
    <Route key="group" path={`${base}/groups/:cohortId`} element={<GroupPage />} />,
  ];
}

export function homeOf(role: string | undefined): string {
  switch (role) {
    case "admin":
      return "/admin/users";
    case "teacher":
      return "/teacher";
    case "proctor":
      return "/proctor";
    case "analyst":
      return "/analyst";
    case "student":
      return "/student";
    default:
      return "/signin";
  }
}

function Home() {
  const role = useAppSelector((s) => s.auth.user?.role);
  return <Navigate to={homeOf(role)} replace />;
}

export function App() {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <Suspense fallback={<LinearProgress aria-label="Loading the page" />}>
        <Routes>
          <Route path="/signin" element={<SignInPage />} />
          <Route element={<RequireRole role="admin" />}>
            <Route element={<Shell />}>
              <Route path="/admin/users" element={<UsersPage />} />
              {bankRoutes("/admin")}
              {groupRoutes("/admin")}
            </Route>
          </Route>
          <Route element={<RequireRole role="teacher" />}>
            <Route element={<Shell />}>
              <Route path="/teacher" element={<TeacherDashboard />} />
              {/* One route for a new exam ("new") and a draft: the wizard keeps its state
                  when the new draft's id replaces "new" in the address. */}
              <Route path="/teacher/exams/:examId" element={<ExamWizardPage />} />
              <Route path="/teacher/exams/:examId/progress" element={<ExamProgressPage />} />
              <Route path="/teacher/exams/:examId/grades" element={<ExamGradesPage />} />
              <Route path="/teacher/exams/:examId/analytics" element={<AnalyticsPage />} />
              <Route path="/teacher/exams/:examId/grading/:questionId" element={<GradingPage />} />
              <Route path="/teacher/students/:studentId" element={<ProgressPage />} />
              {bankRoutes("/teacher")}
              {groupRoutes("/teacher")}
            </Route>
          </Route>
          <Route element={<RequireRole role="student" />}>
            <Route element={<Shell />}>
              <Route path="/student" element={<StudentDashboard />} />
              <Route path="/student/exams/:examId" element={<ExamStartPage />} />
              <Route path="/student/attempts/:attemptId" element={<AttemptPage />} />
              <Route path="/student/attempts/:attemptId/results" element={<ResultsPage />} />
              <Route path="/student/progress" element={<ProgressPage />} />
            </Route>
          </Route>
          <Route element={<RequireRole role="proctor" />}>
            <Route element={<Shell />}>
              <Route path="/proctor" element={<ProctorHome />} />
            </Route>
          </Route>
          <Route element={<RequireRole role="analyst" />}>
            <Route element={<Shell />}>
              <Route path="/analyst" element={<AnalystExamsPage />} />
              <Route path="/analyst/exams/:examId/analytics" element={<AnalyticsPage />} />
            </Route>
          </Route>
          <Route element={<RequireSignedIn />}>
            <Route element={<Shell />}>
              <Route path="/account" element={<AccountPage />} />
            </Route>
          </Route>
          <Route path="*" element={<Home />} />
        </Routes>
      </Suspense>
    </ThemeProvider>
  );
}
