import './styles/first-page';
import { createTheme, MantineProvider, type CSSVariablesResolver } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ApiError } from './api/client';
import { App } from './App';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // Live updates come from the event stream; a 4xx will not get better by retrying.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 8 keeps white text on filled buttons above 4.5:1 (WCAG AA); Mantine's default 6 is not.
  primaryShade: 8,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  // Dialogs' and drawers' close (×) buttons have no text: name them for screen readers.
  // Plain objects, not Modal.extend(): importing the components here would put them in the first page's bundle.
  components: {
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
  },
});

// WCAG AA (4.5:1) for small text in both schemes, checked by axe-core in test/e2e/a11y.test.ts (run
// in each): darker (light) or lighter (dark) dimmed grey, links, light and outline variants' text,
// and filled backgrounds of the colours used with white text.
const COLOURS = ['indigo', 'blue', 'teal', 'green', 'red', 'orange', 'gray', 'violet', 'cyan', 'yellow'];
const perColour = (shade: { text: number; filled: number }) =>
  Object.fromEntries(
    COLOURS.flatMap((c) => [
      [`--mantine-color-${c}-light-color`, `var(--mantine-color-${c}-${shade.text})`],
      [`--mantine-color-${c}-outline`, `var(--mantine-color-${c}-${shade.text})`],
      [`--mantine-color-${c}-text`, `var(--mantine-color-${c}-${shade.text})`],
      [`--mantine-color-${c}-filled`, `var(--mantine-color-${c}-${shade.filled})`],
    ]),
  );
// Clara's own surfaces (board columns, the sign-in backdrop, chat bubbles) and brand text, per scheme.
const contrast: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': 'var(--mantine-color-indigo-8)',
    ...perColour({ text: 9, filled: 9 }),
    '--mantine-color-indigo-filled': 'var(--mantine-color-indigo-8)',
    '--clara-surface': 'var(--mantine-color-gray-0)',
    '--clara-surface-active': 'var(--mantine-color-indigo-0)',
    '--clara-brand': 'var(--mantine-color-indigo-7)',
  },
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--mantine-color-anchor': 'var(--mantine-color-indigo-3)',
    ...perColour({ text: 3, filled: 9 }),
    '--mantine-color-indigo-filled': 'var(--mantine-color-indigo-8)',
    '--clara-surface': 'var(--mantine-color-dark-6)',
    '--clara-surface-active': 'var(--mantine-color-dark-5)',
    '--clara-brand': 'var(--mantine-color-indigo-3)',
    // FullCalendar's own colours (its defaults are for a light page).
    '--fc-page-bg-color': 'var(--mantine-color-body)',
    '--fc-neutral-bg-color': 'var(--mantine-color-dark-6)',
    '--fc-neutral-text-color': 'var(--mantine-color-dark-1)',
    '--fc-border-color': 'var(--mantine-color-dark-4)',
    '--fc-today-bg-color': 'rgba(76, 110, 245, 0.15)',
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    {/* Follows the system's light or dark preference until the person picks one (AppLayout's toggle,
        kept in localStorage by Mantine). */}
    <MantineProvider theme={theme} cssVariablesResolver={contrast} defaultColorScheme="auto">
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
