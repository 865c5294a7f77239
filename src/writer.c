/* SPDX-License-Identifier: MIT */
/* The group commit thread and its queue. */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writer.h"

/* The maximum number of adds in one transaction; more wait for the next one. */
#define MAX_GROUP 64

struct writer_job {
	struct cr_store_add_job add;
	char error[256];
	bool finished;
	struct writer_job *next;
};

struct cr_writer {
	pthread_mutex_t lock;
	pthread_cond_t work;       /* signalled when a job is queued or on stop */
	pthread_cond_t finished;   /* broadcast when a group is committed */
	struct writer_job *head;
	struct writer_job *tail;
	bool stopping;
	pthread_t thread;
	struct cr_store *store;
};

/* Take up to MAX_GROUP jobs off the queue; called with the lock held. */
static size_t
take_group(struct cr_writer *writer, struct writer_job **group)
{
	size_t n = 0;

	while (writer->head != NULL && n < MAX_GROUP) {
		group[n++] = writer->head;
		writer->head = writer->head->next;
	}
	if (writer->head == NULL)
		writer->tail = NULL;
	return n;
}

static void
commit_group(struct cr_writer *writer, struct writer_job **group, size_t n)
{
	struct cr_store_add_job adds[MAX_GROUP];
	size_t i;

	for (i = 0; i < n; i++)
		adds[i] = group[i]->add;
	cr_store_add_connections(writer->store, adds, n);
	for (i = 0; i < n; i++) {
		group[i]->add = adds[i];
		if (adds[i].status == CR_STORE_BUSY || adds[i].status == CR_STORE_ERROR)
			snprintf(group[i]->error, sizeof(group[i]->error), "%s",
			    cr_store_error(writer->store));
	}
}

static void *
run_writer(void *context)
{
	struct cr_writer *writer = context;
	struct writer_job *group[MAX_GROUP];
	size_t n, i;

	pthread_mutex_lock(&writer->lock);
	for (;;) {
		while (writer->head == NULL && !writer->stopping)
			pthread_cond_wait(&writer->work, &writer->lock);
		if (writer->head == NULL)
			break;
		n = take_group(writer, group);

		/* Workers queue more adds while this group is flushed. */
		pthread_mutex_unlock(&writer->lock);
		commit_group(writer, group, n);
		pthread_mutex_lock(&writer->lock);
		for (i = 0; i < n; i++)
			group[i]->finished = true;
		pthread_cond_broadcast(&writer->finished);
	}
	pthread_mutex_unlock(&writer->lock);
	return NULL;
}

int
cr_writer_start(const struct cr_store_options *options, struct cr_writer **out, char *err,
    size_t err_size)
{
	struct cr_writer *writer = calloc(1, sizeof(*writer));

	*out = NULL;
	if (writer == NULL) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	if (cr_store_open(options, &writer->store, err, err_size) != CR_STORE_OK) {
		free(writer);
		return -1;
	}
	pthread_mutex_init(&writer->lock, NULL);
	pthread_cond_init(&writer->work, NULL);
	pthread_cond_init(&writer->finished, NULL);
	if (pthread_create(&writer->thread, NULL, run_writer, writer) != 0) {
		snprintf(err, err_size, "cannot start the writer thread");
		cr_store_close(writer->store);
		free(writer);
		return -1;
	}
	*out = writer;
	return 0;
}

void
cr_writer_stop(struct cr_writer *writer)
{
	if (writer == NULL)
		return;
	pthread_mutex_lock(&writer->lock);
	writer->stopping = true;
	pthread_cond_signal(&writer->work);
	pthread_mutex_unlock(&writer->lock);
	pthread_join(writer->thread, NULL);
	cr_store_close(writer->store);
	pthread_mutex_destroy(&writer->lock);
	pthread_cond_destroy(&writer->work);
	pthread_cond_destroy(&writer->finished);
	free(writer);
}

enum cr_store_status
cr_writer_add_connection(struct cr_writer *writer, const struct cr_connection_row *row,
    char **clash, char *error, size_t error_size)
{
	struct writer_job job;

	memset(&job, 0, sizeof(job));
	job.add.row = row;
	pthread_mutex_lock(&writer->lock);
	if (writer->tail != NULL)
		writer->tail->next = &job;
	else
		writer->head = &job;
	writer->tail = &job;
	pthread_cond_signal(&writer->work);
	while (!job.finished)
		pthread_cond_wait(&writer->finished, &writer->lock);
	pthread_mutex_unlock(&writer->lock);

	snprintf(error, error_size, "%s", job.error);
	if (clash != NULL)
		*clash = job.add.clash;
	else
		free(job.add.clash);
	return job.add.status;
}
