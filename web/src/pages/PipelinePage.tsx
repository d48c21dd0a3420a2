import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { Anchor, Badge, Box, Card, Group, Paper, ScrollArea, Stack, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, must, type Lead, type PipelineStage } from '../api/client';
import { BucketBadge } from '../components/LeadBadges';
import { useAbilities } from '../lib/auth';
import { currency, leadName } from '../lib/format';
import { useStages, useUserNames } from '../lib/queries';

const PER_COLUMN = 100;
const DAY = 86_400_000;

type Column = { leads: Lead[]; more: boolean };

/** With the keyboard, left and right jump a picked-up card to the previous or next column. */
const columnJump: KeyboardCoordinateGetter = (event, { context: { collisionRect, droppableRects, droppableContainers } }) => {
  const direction = event.code === 'ArrowRight' ? 1 : event.code === 'ArrowLeft' ? -1 : 0;
  if (!direction || !collisionRect) return undefined;
  event.preventDefault();
  const center = collisionRect.left + collisionRect.width / 2;
  const columns = droppableContainers
    .getEnabled()
    .map((container) => droppableRects.get(container.id))
    .filter((rect): rect is NonNullable<typeof rect> => Boolean(rect))
    .filter((rect) => (direction > 0 ? rect.left + rect.width / 2 > center + 10 : rect.left + rect.width / 2 < center - 10))
    .sort((a, b) => direction * (a.left - b.left));
  const target = columns[0];
  if (!target) return undefined;
  return { x: target.left + (target.width - collisionRect.width) / 2, y: target.top + 60 };
};

function isRotten(lead: Lead, stage: PipelineStage): boolean {
  return stage.rotten_after_days !== null && Date.now() - Date.parse(lead.stage_changed_at) > stage.rotten_after_days * DAY;
}

function LeadCard({ lead, stage, draggable }: { lead: Lead; stage: PipelineStage; draggable: boolean }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, isDragging } = useDraggable({ id: lead.id, data: { lead }, disabled: !draggable });
  return (
    <Card
      ref={setNodeRef}
      withBorder
      padding="xs"
      data-lead-card={lead.id}
      style={{ opacity: isDragging ? 0.4 : 1, cursor: draggable ? 'grab' : 'default', touchAction: 'none' }}
      // A pointer drags the card from anywhere; the keyboard uses the handle (a card holding a link
      // must not itself be a button).
      onPointerDown={listeners?.onPointerDown as React.PointerEventHandler | undefined}
    >
      <Group gap={4} wrap="nowrap" align="flex-start">
        {draggable && (
          <UnstyledButton
            ref={setActivatorNodeRef}
            {...attributes}
            onKeyDown={listeners?.onKeyDown as React.KeyboardEventHandler | undefined}
            aria-label={`Move ${leadName(lead)} from ${stage.name}: space, then left or right arrows, then space`}
            aria-roledescription="draggable lead"
            c="dimmed"
            fz="sm"
            lh={1.4}
            data-drag-handle
          >
            ⋮⋮
          </UnstyledButton>
        )}
        <Box style={{ flex: 1, minWidth: 0 }}>
          <LeadCardBody lead={lead} stage={stage} />
        </Box>
      </Group>
    </Card>
  );
}

function LeadCardBody({ lead, stage }: { lead: Lead; stage: PipelineStage }) {
  const userName = useUserNames();
  const rotten = isRotten(lead, stage);
  return (
    <>
      <Group justify="space-between" wrap="nowrap" gap={4}>
        <Anchor component={Link} to={`/leads/${lead.id}`} size="sm" fw={500} lineClamp={1} onPointerDown={(e) => e.stopPropagation()}>
          {leadName(lead)}
        </Anchor>
        <BucketBadge bucket={lead.status_bucket} />
      </Group>
      {lead.company_name && lead.contact_person && (
        <Text size="xs" c="dimmed" lineClamp={1}>
          {lead.company_name}
        </Text>
      )}
      <Group justify="space-between" mt={4} gap={4}>
        <Text size="xs">{currency(lead.deal_value)}</Text>
        <Text size="xs" c="dimmed">
          {userName(lead.agent_id)}
        </Text>
      </Group>
      {rotten && (
        <Tooltip label={`No stage change for over ${stage.rotten_after_days} days`}>
          <Badge size="xs" color="red" variant="light" mt={4}>
            rotting
          </Badge>
        </Tooltip>
      )}
    </>
  );
}

function StageColumn({ stage, column, canEdit }: { stage: PipelineStage; column: Column | undefined; canEdit: boolean }) {
  const { setNodeRef, isOver } = useDroppable({ id: stage.id, data: { stage } });
  const leads = column?.leads ?? [];
  const weighted = leads.reduce((sum, l) => sum + ((l.deal_value ?? 0) * stage.win_probability) / 100, 0);
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p="xs"
      w={250}
      miw={250}
      bg={isOver ? 'var(--clara-surface-active)' : 'var(--clara-surface)'}
      component="section"
      aria-label={`${stage.name} column`}
      data-stage-column={stage.name}
      data-over={isOver || undefined}
    >
      <Box mb="xs" style={{ borderTop: `3px solid ${stage.color ?? 'var(--mantine-color-gray-5)'}` }} pt={6}>
        <Group justify="space-between">
          <Text fw={600} size="sm">
            {stage.name}
          </Text>
          <Badge variant="light" color="gray" data-testid="stage-count">
            {leads.length}
            {column?.more ? '+' : ''}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed">
          {currency(weighted)} weighted · {stage.win_probability}%
        </Text>
      </Box>
      <Stack gap="xs" mih={80}>
        {leads.map((lead) => (
          <LeadCard key={lead.id} lead={lead} stage={stage} draggable={canEdit} />
        ))}
      </Stack>
    </Paper>
  );
}

export default function PipelinePage() {
  const { canEdit } = useAbilities();
  const queryClient = useQueryClient();
  const stages = useStages();
  const [dragging, setDragging] = useState<Lead | null>(null);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter: columnJump }));
  const stageList = stages.data ?? [];
  const columns = useQueries({
    queries: stageList.map((stage) => ({
      queryKey: ['leads', 'board', stage.id],
      queryFn: async (): Promise<Column> => {
        const page = must(
          await api.GET('/api/v1/leads', { params: { query: { pipeline_stage_id: stage.id, sort: '-deal_value', limit: PER_COLUMN } } }),
        );
        return { leads: page.data, more: page.next_cursor !== null };
      },
    })),
  });

  const move = useMutation({
    mutationFn: async ({ lead, stageId }: { lead: Lead; stageId: string }) =>
      must(await api.PATCH('/api/v1/leads/{id}', { params: { path: { id: lead.id } }, body: { pipeline_stage_id: stageId } })),
    onMutate: ({ lead, stageId }) => {
      // Move the card at once; the server's answer (or the event stream) confirms it.
      const from = ['leads', 'board', lead.pipeline_stage_id];
      const to = ['leads', 'board', stageId];
      queryClient.setQueryData<Column>(from, (c) => c && { ...c, leads: c.leads.filter((l) => l.id !== lead.id) });
      queryClient.setQueryData<Column>(to, (c) => c && { ...c, leads: [{ ...lead, pipeline_stage_id: stageId }, ...c.leads] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not move the lead', message: errorMessage(error) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['leads'] }),
  });

  const onDragStart = (event: DragStartEvent) => setDragging((event.active.data.current?.lead as Lead | undefined) ?? null);
  const onDragEnd = (event: DragEndEvent) => {
    setDragging(null);
    const lead = event.active.data.current?.lead as Lead | undefined;
    const stageId = event.over?.id;
    if (lead && typeof stageId === 'string' && stageId !== lead.pipeline_stage_id) move.mutate({ lead, stageId });
  };
  const draggingStage = stageList.find((s) => s.id === dragging?.pipeline_stage_id);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Pipeline
        </Title>
        <Text size="sm" c="dimmed">
          {canEdit ? 'Drag a card to another stage, or focus its handle (⋮⋮), press space, move with the left and right arrows, and press space again.' : 'Read-only for viewers.'}
        </Text>
      </Group>
      <DndContext sensors={sensors} onDragStart={onDragStart} onDragEnd={onDragEnd} onDragCancel={() => setDragging(null)}>
        <ScrollArea type="auto" offsetScrollbars>
          <Group align="flex-start" wrap="nowrap" gap="sm" pb="sm">
            {stageList.map((stage, index) => (
              <StageColumn key={stage.id} stage={stage} column={columns[index]?.data} canEdit={canEdit} />
            ))}
          </Group>
        </ScrollArea>
        <DragOverlay>
          {dragging && draggingStage ? (
            <Card withBorder padding="xs" shadow="md" w={230}>
              <LeadCardBody lead={dragging} stage={draggingStage} />
            </Card>
          ) : null}
        </DragOverlay>
      </DndContext>
    </Stack>
  );
}
