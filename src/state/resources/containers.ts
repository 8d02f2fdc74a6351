import { json, listQueryOf, notFound } from '../respond';
import type { StateContext, StateHandlers, StoredObject } from '../types';
import { bodyOf, isObject, numberField, param, realistic, stringField } from './common';
import { FILE, type FileObject } from './files';

/**
 * Containers (Code Interpreter's) and their files: a container file is made from an uploaded
 * file's id (its bytes copied) or from a multipart upload, lands in `/mnt/data/`, and its content
 * comes back byte for byte. Deleting a container deletes its files.
 */

const CONTAINER = 'container';
const FILES = (id: string) => `container.file:${id}`;

interface Container extends StoredObject {
  id: string;
  object: 'container';
  name: string;
  created_at: number;
  status: string;
  last_active_at: number;
}

interface ContainerFile extends StoredObject {
  id: string;
  object: 'container.file';
  container_id: string;
  created_at: number;
  bytes: number;
  path: string;
  source: string;
}

function containerOf(context: StateContext): Container | undefined {
  return context.store.get<Container>(CONTAINER, param(context, 'container_id'));
}

function addFile(context: StateContext, container: Container, filename: string, bytes: Buffer): ContainerFile {
  const file: ContainerFile = {
    id: context.newId('cfile_'),
    object: 'container.file',
    container_id: container.id,
    created_at: context.nowSeconds(),
    bytes: bytes.length,
    path: `/mnt/data/${filename}`,
    source: 'user',
  };
  context.store.putBytes(file.id, bytes);
  return context.store.put(FILES(container.id), file);
}

export const containers: StateHandlers = {
  async CreateContainer(context) {
    const body = bodyOf(context);
    const ids = Array.isArray(body.file_ids) ? body.file_ids.map(String) : [];
    const sources: FileObject[] = [];
    for (const id of ids) {
      const file = context.store.get<FileObject>(FILE, id);
      if (!file) return notFound(FILE, id, undefined, 'file_ids');
      sources.push(file);
    }
    const start = await realistic(context);
    if ('response' in start) return start.response;
    const created = context.nowSeconds();
    const minutes = isObject(body.expires_after) ? numberField(body.expires_after.minutes) : undefined;
    const container: Container = {
      ...start.body,
      id: context.newId('cntr_'),
      object: 'container',
      name: stringField(body.name) ?? 'container',
      created_at: created,
      status: 'running',
      last_active_at: created,
      expires_after: { anchor: 'last_active_at', minutes: minutes ?? 20 },
    };
    if (typeof body.memory_limit === 'string') container.memory_limit = body.memory_limit;
    const kept = context.store.put(CONTAINER, container);
    for (const file of sources) addFile(context, kept, file.filename, context.store.getBytes(file.id) ?? Buffer.alloc(0));
    return json(kept);
  },

  async ListContainers(context) {
    const { query } = context.exchange.request;
    const name = stringField(query.name);
    return json(context.store.list<Container>(CONTAINER, listQueryOf(query, name ? (c) => c.name === name : undefined)));
  },

  async RetrieveContainer(context) {
    const container = containerOf(context);
    return container ? json(container) : notFound(CONTAINER, param(context, 'container_id'));
  },

  async DeleteContainer(context) {
    const id = param(context, 'container_id');
    if (!context.store.delete(CONTAINER, id)) return notFound(CONTAINER, id);
    for (const file of context.store.all(FILES(id))) {
      context.store.deleteBytes(file.id);
      context.store.delete(FILES(id), file.id);
    }
    return json({ id, object: 'container.deleted', deleted: true });
  },

  async CreateContainerFile(context) {
    const container = containerOf(context);
    if (!container) return notFound(CONTAINER, param(context, 'container_id'));
    const upload = context.exchange.request.files.file;
    if (upload) return json(addFile(context, container, upload.filename, upload.data));
    const fileId = stringField(bodyOf(context).file_id) ?? '';
    const source = context.store.get<FileObject>(FILE, fileId);
    if (!source) return notFound(FILE, fileId, undefined, 'file_id');
    return json(addFile(context, container, source.filename, context.store.getBytes(fileId) ?? Buffer.alloc(0)));
  },

  async ListContainerFiles(context) {
    const container = containerOf(context);
    if (!container) return notFound(CONTAINER, param(context, 'container_id'));
    return json(context.store.list(FILES(container.id), listQueryOf(context.exchange.request.query)));
  },

  async RetrieveContainerFile(context) {
    const container = containerOf(context);
    if (!container) return notFound(CONTAINER, param(context, 'container_id'));
    const id = param(context, 'file_id');
    const file = context.store.get(FILES(container.id), id);
    return file ? json(file) : notFound(FILES(container.id), id);
  },

  async DeleteContainerFile(context) {
    const container = containerOf(context);
    if (!container) return notFound(CONTAINER, param(context, 'container_id'));
    const id = param(context, 'file_id');
    if (!context.store.delete(FILES(container.id), id)) return notFound(FILES(container.id), id);
    context.store.deleteBytes(id);
    return json({ id, object: 'container.file.deleted', deleted: true });
  },

  async RetrieveContainerFileContent(context) {
    const container = containerOf(context);
    if (!container) return notFound(CONTAINER, param(context, 'container_id'));
    const id = param(context, 'file_id');
    if (!context.store.get(FILES(container.id), id)) return notFound(FILES(container.id), id);
    return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: context.store.getBytes(id) ?? Buffer.alloc(0), source: 'state' };
  },
};
