import { useQuery } from '@tanstack/react-query';
import { api, must } from '../api/client';

/** Pipeline stages in board order; cached (stages rarely change, and events refresh them). */
export function useStages() {
  return useQuery({
    queryKey: ['pipeline_stages'],
    queryFn: async () =>
      must(await api.GET('/api/v1/pipeline_stages', { params: { query: { limit: 500 } } })).data.sort(
        (a, b) => a.order_position - b.order_position,
      ),
    staleTime: 60_000,
  });
}

/** Active people, for owner pickers and names. */
export function useUsers() {
  return useQuery({
    queryKey: ['users', 'all'],
    queryFn: async () => must(await api.GET('/api/v1/users', { params: { query: { limit: 500 } } })).data,
    staleTime: 60_000,
  });
}

export function useUserNames(): (id: string | null | undefined) => string {
  const users = useUsers();
  return (id) => {
    if (!id) return 'Unassigned';
    return users.data?.find((u) => u.id === id)?.full_name ?? '…';
  };
}
