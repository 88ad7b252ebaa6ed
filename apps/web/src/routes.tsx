/**
 * Every page and its address. Member pages sit inside <MemberShell> (signed in, or sent to sign in); the sign-in
 * page and the candidate's room (/r/:token, the link the server hands out) stand alone.
 */
import type { ReactElement } from 'react';
import { Navigate, createBrowserRouter } from 'react-router';
import { MemberShell } from './components/Layout.tsx';
import { useI18n } from './i18n/index.tsx';
import { CandidateRoomPage } from './pages/CandidateRoom.tsx';
import { InterviewDetailPage } from './pages/InterviewDetail.tsx';
import { InterviewListPage } from './pages/InterviewList.tsx';
import { MyInterviewsPage } from './pages/MyInterviews.tsx';
import { PlaybackPage } from './pages/Playback.tsx';
import { RoomPage } from './pages/Room.tsx';
import { EditInterviewPage, ScheduleInterviewPage } from './pages/ScheduleInterview.tsx';
import { QuestionEditorPage } from './pages/questions/QuestionEditor.tsx';
import { QuestionListPage } from './pages/questions/QuestionList.tsx';
import { SignInPage } from './pages/SignIn.tsx';
import { AdminLayout } from './pages/admin/AdminLayout.tsx';
import { MessagesPage } from './pages/admin/Messages.tsx';
import { PeoplePage } from './pages/admin/People.tsx';
import { WeComPage } from './pages/admin/WeCom.tsx';
import { isStaff, useMe } from './session.tsx';

/** Recruiters and admins start at the interview list, everyone else at their own interviews. */
function Home() {
  const me = useMe();
  return <Navigate to={isStaff(me) ? '/interviews' : '/my'} replace />;
}

/** The list is for staff; an interviewer who follows an old link lands on their own list. */
function StaffOnly({ children }: { children: ReactElement }) {
  const me = useMe();
  return isStaff(me) ? children : <Navigate to="/my" replace />;
}

function NotFoundPage() {
  const { t } = useI18n();
  return (
    <div className="state-panel" data-state="not-found">
      <h1>{t.errors.notFoundTitle}</h1>
      <p>{t.errors.pageNotFound}</p>
    </div>
  );
}

export const router = createBrowserRouter([
  { path: '/sign-in', Component: SignInPage },
  { path: '/r/:token', Component: CandidateRoomPage },
  {
    path: '/',
    Component: MemberShell,
    children: [
      { index: true, Component: Home },
      { path: 'my', Component: MyInterviewsPage },
      {
        path: 'interviews',
        element: (
          <StaffOnly>
            <InterviewListPage />
          </StaffOnly>
        ),
      },
      // /schedule is the address WeCom messages link to (apps/server/src/wecom/deps.ts webPaths).
      { path: 'schedule', Component: ScheduleInterviewPage },
      { path: 'interviews/new', element: <Navigate to="/schedule" replace /> },
      { path: 'interviews/:id', Component: InterviewDetailPage },
      { path: 'interviews/:id/edit', Component: EditInterviewPage },
      { path: 'interviews/:id/room', Component: RoomPage },
      { path: 'interviews/:id/playback', Component: PlaybackPage },
      // The question bank: recruiters and admins write it (the API enforces it; others land on their interviews).
      {
        path: 'questions',
        element: (
          <StaffOnly>
            <QuestionListPage />
          </StaffOnly>
        ),
      },
      {
        path: 'questions/new',
        element: (
          <StaffOnly>
            <QuestionEditorPage />
          </StaffOnly>
        ),
      },
      {
        path: 'questions/:id',
        element: (
          <StaffOnly>
            <QuestionEditorPage />
          </StaffOnly>
        ),
      },
      {
        path: 'admin',
        Component: AdminLayout,
        children: [
          { index: true, element: <Navigate to="/admin/people" replace /> },
          { path: 'people', Component: PeoplePage },
          { path: 'messages', Component: MessagesPage },
          { path: 'wecom', Component: WeComPage },
        ],
      },
      { path: '*', Component: NotFoundPage },
    ],
  },
]);
