import type { DateSelectArg, DatesSetArg, EventClickArg, EventDropArg, EventInput } from '@fullcalendar/core';
import dayGridPlugin from '@fullcalendar/daygrid';
import interactionPlugin, { type EventResizeDoneArg } from '@fullcalendar/interaction';
import FullCalendar from '@fullcalendar/react';
import timeGridPlugin from '@fullcalendar/timegrid';
import { Alert, Badge, Button, Group, Modal, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, errorMessage, must, type Meeting } from '../api/client';
import { leadName } from '../lib/format';
import { useAbilities } from '../lib/auth';

// Dark enough for white text (WCAG AA).
const STATUS_COLOR: Record<Meeting['status'], string> = {
  Scheduled: '#364fc7',
  Rescheduled: '#5f3dc4',
  Completed: '#1f6f33',
  Cancelled: '#495057',
  'No Show': '#c92a2a',
};

/** A meeting on the slot the user selected, optionally with a lead (searched as you type). */
function NewMeeting({ slot, onClose }: { slot: { start: Date; end: Date } | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState('');
  const [leadId, setLeadId] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const leads = useQuery({
    queryKey: ['leads', 'picker', q],
    enabled: slot !== null,
    queryFn: async () => must(await api.GET('/api/v1/leads', { params: { query: { q: q || undefined, limit: 20 } } })).data,
  });
  const create = useMutation({
    mutationFn: async () =>
      must(
        await api.POST('/api/v1/meetings', {
          body: { title: title.trim(), lead_id: leadId, start_time: slot?.start.toISOString() ?? '', end_time: slot?.end.toISOString() ?? '' },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['meetings'] });
      setTitle('');
      setLeadId(null);
      onClose();
    },
  });
  return (
    <Modal opened={slot !== null} onClose={onClose} title="New meeting">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (title.trim()) create.mutate();
        }}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            {slot && `${slot.start.toLocaleString()} – ${slot.end.toLocaleTimeString()}`}
          </Text>
          {create.isError && <Alert color="red">{errorMessage(create.error)}</Alert>}
          <TextInput label="Title" value={title} onChange={(e) => setTitle(e.currentTarget.value)} required data-autofocus />
          <Select
            label="Lead"
            searchable
            clearable
            searchValue={search}
            onSearchChange={setSearch}
            filter={({ options }) => options}
            data={(leads.data ?? []).map((l) => ({ value: l.id, label: leadName(l) }))}
            value={leadId}
            onChange={setLeadId}
            nothingFoundMessage="No lead matches"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!title.trim()}>
              Create meeting
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export default function CalendarPage() {
  const { canEdit } = useAbilities();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [range, setRange] = useState<{ start: string; end: string } | null>(null);
  const [slot, setSlot] = useState<{ start: Date; end: Date } | null>(null);

  const meetings = useQuery({
    queryKey: ['meetings', 'calendar', range],
    enabled: range !== null,
    queryFn: async () =>
      must(
        await api.GET('/api/v1/meetings', {
          params: { query: { start_time_from: range?.start, start_time_to: range?.end, sort: 'start_time', limit: 500 } },
        }),
      ).data,
  });

  const reschedule = useMutation({
    mutationFn: async ({ id, start, end }: { id: string; start: Date; end: Date; revert: () => void }) =>
      must(
        await api.PATCH('/api/v1/meetings/{id}', {
          params: { path: { id } },
          body: { start_time: start.toISOString(), end_time: end.toISOString() },
        }),
      ),
    onSuccess: (meeting) => {
      notifications.show({ color: 'teal', message: `“${meeting.title}” moved to ${new Date(meeting.start_time).toLocaleString()}` });
      void queryClient.invalidateQueries({ queryKey: ['meetings'] });
    },
    onError: (error, { revert }) => {
      revert();
      notifications.show({ color: 'red', title: 'Could not reschedule', message: errorMessage(error) });
    },
  });

  const events: EventInput[] = (meetings.data ?? []).map((m) => ({
    id: m.id,
    title: m.title,
    start: m.start_time,
    end: m.end_time,
    backgroundColor: STATUS_COLOR[m.status],
    borderColor: STATUS_COLOR[m.status],
    extendedProps: { meeting: m },
  }));

  const onMove = (info: EventDropArg | EventResizeDoneArg) => {
    const { start, end } = info.event;
    if (!start || !end) return info.revert();
    reschedule.mutate({ id: info.event.id, start, end, revert: info.revert });
  };
  const onClick = (info: EventClickArg) => {
    const meeting = info.event.extendedProps.meeting as Meeting;
    if (meeting.lead_id) void navigate(`/leads/${meeting.lead_id}`);
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Calendar
        </Title>
        <Group gap="xs" aria-label="Meeting status colours">
          {Object.entries(STATUS_COLOR).map(([status, color]) => (
            <Badge key={status} color={color} variant="filled" size="sm">
              {status}
            </Badge>
          ))}
        </Group>
      </Group>
      <Paper withBorder p="sm">
        <FullCalendar
          plugins={[dayGridPlugin, timeGridPlugin, interactionPlugin]}
          initialView="timeGridWeek"
          headerToolbar={{ left: 'prev,next today', center: 'title', right: 'timeGridWeek,dayGridMonth' }}
          buttonText={{ week: 'Week', month: 'Month', today: 'Today' }}
          height="auto"
          nowIndicator
          allDaySlot={false}
          slotMinTime="07:00:00"
          slotMaxTime="20:00:00"
          editable={canEdit}
          selectable={canEdit}
          selectMirror
          select={(arg: DateSelectArg) => {
            arg.view.calendar.unselect();
            setSlot({ start: arg.start, end: arg.end });
          }}
          eventDurationEditable={canEdit}
          events={events}
          datesSet={(arg: DatesSetArg) => {
            setRange({ start: arg.start.toISOString(), end: arg.end.toISOString() });
            // The toolbar's chevrons are role="img" without text; their buttons carry the names.
            for (const icon of document.querySelectorAll('.fc-icon[role="img"]')) {
              icon.removeAttribute('role');
              icon.setAttribute('aria-hidden', 'true');
            }
          }}
          eventDrop={onMove}
          eventResize={onMove}
          eventClick={onClick}
          eventDidMount={(info) => {
            info.el.setAttribute('data-meeting-id', info.event.id);
            info.el.setAttribute('aria-label', `${info.event.title}, ${info.event.start?.toLocaleString() ?? ''}`);
          }}
        />
      </Paper>
      <NewMeeting slot={slot} onClose={() => setSlot(null)} />
      {canEdit && (
        <Text size="sm" c="dimmed">
          Drag a meeting to reschedule it, or drag its lower edge to change its length. Click it to open its lead. Select
          empty time to book a new meeting.
        </Text>
      )}
    </Stack>
  );
}
