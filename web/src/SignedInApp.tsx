// The rest of Mantine's styles come with the signed-in app: the first page (sign-in) loads only its
// own components' (styles/first-page.ts).
import './styles/signed-in';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { AppLayout } from './components/AppLayout';
import { PageLoader } from './components/PageLoader';

// One chunk per page: a page loads only itself and what it shares with others.
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const LeadsPage = lazy(() => import('./pages/LeadsPage'));
const LeadDetailPage = lazy(() => import('./pages/LeadDetailPage'));
const PipelinePage = lazy(() => import('./pages/PipelinePage'));
const CalendarPage = lazy(() => import('./pages/CalendarPage'));
const CallsPage = lazy(() => import('./pages/CallsPage'));
const TasksPage = lazy(() => import('./pages/TasksPage'));
const NotificationsPage = lazy(() => import('./pages/NotificationsPage'));
const ChatPage = lazy(() => import('./pages/ChatPage'));
const SettingsPage = lazy(() => import('./pages/SettingsPage'));

function page(element: ReactNode) {
  return <Suspense fallback={<PageLoader />}>{element}</Suspense>;
}

/** Every page behind the sign-in, in the layout with navigation. */
export default function SignedInApp({ afterSignIn }: { afterSignIn: ReactNode }) {
  return (
    <Routes>
      <Route path="/login" element={afterSignIn} />
      <Route element={<AppLayout />}>
        <Route index element={page(<DashboardPage />)} />
        <Route path="leads" element={page(<LeadsPage />)} />
        <Route path="leads/:id" element={page(<LeadDetailPage />)} />
        <Route path="pipeline" element={page(<PipelinePage />)} />
        <Route path="calendar" element={page(<CalendarPage />)} />
        <Route path="calls" element={page(<CallsPage />)} />
        <Route path="tasks" element={page(<TasksPage />)} />
        <Route path="tasks/:id" element={page(<TasksPage />)} />
        <Route path="notifications" element={page(<NotificationsPage />)} />
        <Route path="clara" element={page(<ChatPage />)} />
        <Route path="settings/*" element={page(<SettingsPage />)} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
