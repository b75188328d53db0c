/* A toy buffer type instrumented with aliasguard's C ABI (the example in docs/tracker.md). */
#include <stdio.h>
#include "aliasguard/tracker/tracker_c.h"

typedef struct { float values[4]; ag_storage* tracked; } toy_buffer; /* one per allocation */
typedef struct { toy_buffer* buffer; ag_handle* tracked; } toy_view; /* one per view */

/* Accesses name their caller, so reports point at the user's lines, not at the library. */
#define TOY_AT __FILE__, __LINE__, __func__
#define toy_fill(view, x) toy_fill_at((view), (x), TOY_AT)
#define toy_sum(view) toy_sum_at((view), TOY_AT)

static void toy_fill_at(toy_view v, float x, const char* file, int line, const char* function) {
  ag_track_write(v.tracked, file, line, function);
  for (int i = 0; i < 4; ++i) v.buffer->values[i] = x;
}

static float toy_sum_at(toy_view v, const char* file, int line, const char* function) {
  ag_track_read(v.tracked, file, line, function);
  float sum = 0;
  for (int i = 0; i < 4; ++i) sum += v.buffer->values[i];
  return sum;
}

/* A model's weights, and a "snapshot" of them that shares their bytes instead of copying. */
static uint64_t toy_example(void) {
  toy_buffer weights = {{0, 0, 0, 0}, ag_track_storage_create(sizeof(float[4]), 0, 0)};
  toy_view param = {&weights, ag_track_handle_create(weights.tracked, 0, sizeof(float[4]), AG_OWNER_MODULE,
                                                     ag_track_new_owner(AG_OWNER_MODULE), "weight", TOY_AT)};
  toy_view best = {&weights, ag_track_handle_create(weights.tracked, 0, sizeof(float[4]), AG_OWNER_SNAPSHOT,
                                                    ag_track_new_owner(AG_OWNER_SNAPSHOT), "weight", TOY_AT)};
  toy_fill(param, 1.0f);                      /* a training step updates the weights... */
  printf("best sum: %g\n", toy_sum(best));    /* ...and the "best" snapshot changed too: reported */
  ag_track_handle_destroy(best.tracked);
  ag_track_handle_destroy(param.tracked);
  ag_track_storage_destroy(weights.tracked);
  return ag_track_violation_count();
}
