import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, ApiError, must, type Role, type User } from '../api/client';

export const ME_KEY = ['auth', 'me'] as const;

/** The signed-in user, or null when nobody is signed in. */
export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async (): Promise<User | null> => {
      try {
        return must(await api.GET('/api/v1/auth/me')).user;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
  });
}

/** A 401 anywhere (an expired session) sends the app back to the sign-in page. */
export function useSignOutOnUnauthorized(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const onUnauthorized = () => queryClient.setQueryData(ME_KEY, null);
    window.addEventListener('clara:unauthorized', onUnauthorized);
    return () => window.removeEventListener('clara:unauthorized', onUnauthorized);
  }, [queryClient]);
}

export interface Abilities {
  user: User;
  /** Viewers read everything and change nothing. */
  canEdit: boolean;
  isAdmin: boolean;
  /** Managers and admins see their team's work; agents see their own. */
  seesTeam: boolean;
}

export function abilities(user: User): Abilities {
  const role: Role = user.role;
  return { user, canEdit: role !== 'viewer', isAdmin: role === 'admin', seesTeam: role !== 'agent' };
}

/** The abilities of the signed-in user; only used below the signed-in layout. */
export function useAbilities(): Abilities {
  const { data } = useMe();
  if (!data) throw new Error('useAbilities outside the signed-in layout');
  return abilities(data);
}
