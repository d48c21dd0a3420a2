import { lazy, Suspense } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useMe, useSignOutOnUnauthorized } from './lib/auth';
import { PageLoader } from './components/PageLoader';
import { LoginPage } from './pages/LoginPage';

// The signed-in app (layout, pages and the whole stylesheet) is its own chunk: the first page a
// visitor sees, the sign-in page, loads only the shell and itself.
const SignedInApp = lazy(() => import('./SignedInApp'));

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
    <Suspense fallback={<PageLoader />}>
      <SignedInApp afterSignIn={<AfterSignIn />} />
    </Suspense>
  );
}
