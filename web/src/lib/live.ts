import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

export interface ChangeEvent {
  table: string;
  op: 'insert' | 'update' | 'delete';
  id: string;
}

/**
 * Subscribes to GET /api/v1/events (Server-Sent Events) and refreshes the queries that show the
 * changed table. Every query key starts with its table name, so one invalidation per table suffices.
 * EventSource reconnects by itself; `connected` drives the "live" indicator.
 */
export function useLiveUpdates(): { connected: boolean } {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    // Dashboards aggregate everything: refresh them at most every 2 s however busy the stream is.
    let analyticsTimer: ReturnType<typeof setTimeout> | null = null;
    const refreshAnalytics = () => {
      analyticsTimer ??= setTimeout(() => {
        analyticsTimer = null;
        void queryClient.invalidateQueries({ queryKey: ['analytics'] });
      }, 2000);
    };
    const source = new EventSource('/api/v1/events');
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('change', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as ChangeEvent;
      void queryClient.invalidateQueries({ queryKey: [event.table] });
      // Timelines and boards also show leads' neighbours; dashboards count everything.
      if (event.table !== 'leads') void queryClient.invalidateQueries({ queryKey: ['timeline'] });
      refreshAnalytics();
      if (event.table === 'notifications' && event.op === 'insert') {
        notifications.show({ title: 'New notification', message: 'Open the bell to read it', autoClose: 4000 });
      }
    });
    return () => {
      source.close();
      if (analyticsTimer) clearTimeout(analyticsTimer);
    };
  }, [queryClient]);
  return { connected };
}
