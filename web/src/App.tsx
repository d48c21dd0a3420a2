import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useMe, useSignOutOnUnauthorized } from './lib/auth';
import { AppLayout } from './components/AppLayout';
import { LoginPage } from './pages/LoginPage';

// One chunk per page: the first page loads only the shell and itself.
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

export function PageLoader() {
  return (
    <Center h="50vh" aria-busy="true">
      <Loader aria-label="Loading" />
    </Center>
  );
}

function page(element: ReactNode) {
  return <Suspense fallback={<PageLoader />}>{element}</Suspense>;
}

/** Once signed in, /login?next=/leads goes on to /leads (only paths inside the app: no open redirect). */
function AfterSignIn() {
  const next = new URLSearchParams(useLocation().search).get('next');
  return <Navigate to={next?.startsWith('/') && !next.startsWith('//') ? next : '/'} replace />;
}

export function App() {
  useSignOutOnUnauthorized();
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <PageLoader />;
  if (!me.data) {
    if (location.pathname !== '/login') {
      const next = location.pathname + location.search;
      return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
    }
    return <LoginPage />;
  }
  return (
    <Routes>
      <Route path="/login" element={<AfterSignIn />} />
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
