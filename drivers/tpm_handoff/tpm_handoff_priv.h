/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm_handoff.ko's module-only interfaces (the TPM core, threads, sysfs).
 * See tpm_handoff.h for the pure logic and Documentation/design.rst for
 * the design.
 *
 * Locking, outermost first (see Documentation/design.rst, "Locking"):
 *
 *   th_state.remirror_lock (main.c)
 *     Held across a re-mirror (remirror.c): one runs at a time, and the
 *     forwarder's chip is not retargeted while vtpm_state looks at it.
 *   th_state.lock (main.c)
 *     Protects the state machine (state, error, record).  Held only to
 *     move between states, never across the handoff or a TPM command.
 *   IMA's ima_extend_list_mutex            (IMA's; never taken here)
 *     IMA holds it while it extends, so it nests outside the pTPM's
 *     ops_sem.  Nothing here takes it, and nothing done under the
 *     barrier may wait for a measurement (see barrier.c).
 *   pTPM chip->ops_sem                     (the barrier: held for writing)
 *     pTPM chip->tpm_mutex
 *       vTPM chip->ops_sem (read, through tpm_try_get_ops())
 *         vTPM chip->tpm_mutex
 *
 * The tpm_tis shim's request_locality (tis_shim.c) runs under the pTPM
 * chip's ops_sem (read) and tpm_mutex too, and takes no lock: it only
 * sleeps while it asks tpm_tis again.
 *
 * The forwarding ops (forward.c) run with the pTPM's ops_sem (read) and
 * tpm_mutex held by the TPM core and take the vTPM's locks inside them:
 * the same order.  The vTPM chip's locks must therefore be in lockdep
 * classes of their own: xen_tpmfront_ext sets them; for any other chip
 * (vtpm=tpmN) vtpm.c marks them as one level of nesting.
 */
#ifndef _TPM_HANDOFF_PRIV_H
#define _TPM_HANDOFF_PRIV_H

#include <linux/completion.h>
#include <linux/seq_file.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/ktime.h>

#include "tpm_handoff.h"

struct file;
struct task_struct;

/**
 * struct th_vtpm - the vTPM chip and how it was taken
 * @chip: the chip (a device reference is held)
 * @provider: "xen" or "chip"
 * @put: how to release it (NULL: put_device())
 * @abort: ends a wait for the command in flight on @chip (NULL: the
 *	   provider's waits end on a signal, as tpm_vtpm_proxy's do)
 */
struct th_vtpm {
	struct tpm_chip *chip;
	const char *provider;
	void (*put)(struct tpm_chip *chip);
	void (*abort)(struct tpm_chip *chip);
};

int th_vtpm_get(struct th_vtpm *v, const char *spec, struct tpm_chip *ptpm,
		char *err);
void th_vtpm_put(struct th_vtpm *v);

/**
 * struct th_log_source - the IMA measurement list, read from the kernel
 * @file: the open binary_runtime_measurements
 * @seq: its seq_file, if it is one (else it is read with kernel_read())
 * @sf: our own seq_file over a kernel buffer, driven by @seq's operations
 * @size: size of @sf.buf
 * @index: next entry to show
 * @from: next byte of @sf.buf to hand out
 * @pos: file position for kernel_read()
 * @eof: no entry after @index
 */
struct th_log_source {
	struct file *file;
	struct seq_file *seq;
	struct seq_file sf;
	size_t size;
	loff_t index;
	size_t from;
	loff_t pos;
	bool eof;
};

/**
 * struct th_log_ops - where a handoff reads IMA's measurement list from
 * @open: open it; @path is the ima_log parameter; on failure say why in
 *	  @err (TH_ERRLEN bytes)
 * @close: close it; also called when @open was not, or failed
 * @rewind: read from the first entry again
 * @resume: read on after the last entry read (the list only grows)
 * @buffer_size: bytes of memory held, for the record's memory_bytes
 * @read: a th_read_fn: bytes, 0 at the end of the list, or -errno
 *
 * Each callback gets the struct th_handoff's @log_src.  th_log_file_ops
 * (log_source.c) reads securityfs's binary_runtime_measurements, @log_src
 * a struct th_log_source; the KUnit suite of the
 * handoff core (tests/handoff_test.c) reads a list in memory that grows
 * while the handoff runs.
 */
struct th_log_ops {
	int (*open)(void *src, const char *path, char *err);
	void (*close)(void *src);
	void (*rewind)(void *src);
	void (*resume)(void *src);
	size_t (*buffer_size)(const void *src);
	ssize_t (*read)(void *src, u8 *buf, size_t len);
};

extern const struct th_log_ops th_log_file_ops;

/**
 * struct th_barrier - the quiescence barrier on the pTPM chip
 * @chip: the pTPM chip
 * @task: the thread that holds (or waits for) the barrier
 * @watchdog: fires after the time limit and kills @task's waits
 * @abort_work: runs @abort for the watchdog (it may sleep, a timer may not)
 * @abort: ends a wait for the vTPM that a signal does not end (NULL: none)
 * @abort_chip: the chip @abort is called with
 * @fired: the watchdog fired
 * @held: ops_sem and tpm_mutex are held
 * @start: when the thread started to wait for in-flight commands
 * @window_ns: how long the barrier stood (set by th_barrier_lower())
 */
struct th_barrier {
	struct tpm_chip *chip;
	struct task_struct *task;
	struct timer_list watchdog;
	struct work_struct abort_work;
	void (*abort)(struct tpm_chip *chip);
	struct tpm_chip *abort_chip;
	atomic_t fired;
	bool held;
	ktime_t start;
	s64 window_ns;
};

void th_watchdog_set_abort(struct th_barrier *b,
			   void (*abort)(struct tpm_chip *chip),
			   struct tpm_chip *chip);
void th_watchdog_arm(struct th_barrier *b, unsigned int timeout_ms);
void th_watchdog_disarm(struct th_barrier *b);
int th_barrier_raise(struct th_barrier *b, struct tpm_chip *chip,
		     unsigned int timeout_ms);
bool th_barrier_expired(struct th_barrier *b);
void th_barrier_lower(struct th_barrier *b);

bool th_tis_shim_install(struct tpm_chip *chip, unsigned int wait_ms);
void th_tis_shim_set_wait(unsigned int wait_ms);
void th_tis_shim_remove(struct tpm_chip *chip);
ssize_t th_tis_shim_show(char *buf, struct tpm_chip *chip);

int th_forward_prepare(bool tpm2);
void th_forward_unprepare(void);
void th_forward_commit(struct tpm_chip *ptpm, struct tpm_chip *vchip,
		       u32 *cc_attrs_tbl);
bool th_forward_active(void);
bool th_forward_vtpm_away(void);
bool th_forward_vtpm_behind(struct tpm_chip *vchip);
void th_forward_on_behind(void (*fn)(void));
u64 th_forward_ima_extends(struct tpm_chip *ptpm);
struct tpm_chip *th_forward_retarget(struct tpm_chip *ptpm,
				     struct tpm_chip *vchip,
				     u32 *cc_attrs_tbl);
#if IS_ENABLED(CONFIG_TPM_HANDOFF_KUNIT_TEST)
struct tpm_chip *th_forward_reset(void);
#endif

int th_hmac_check(struct tpm_chip *ptpm, struct tpm_chip *vchip, char *err);
void th_hmac_end_session(struct tpm_chip *ptpm);
void th_hmac_take_null_key(struct tpm_chip *ptpm, struct tpm_chip *vchip);

/**
 * struct th_remirror - the re-mirrors of a committed handoff (remirror.c)
 * @base: log entries the vTPM held when it last took over (the cut, then
 *	  each re-mirror's target); with the forwarder's count of IMA's
 *	  extends, the entries that reached the TPM chip IMA uses
 * @count: re-mirrors that brought a vTPM to the log
 * @failed: re-mirrors that failed
 * @time: when the last one committed (seconds since the epoch)
 * @entries: the log entries the new vTPM held after it (its target)
 * @log_entries: the entries the log had under its barrier
 * @resumed: entries the new vTPM held already (a clean restart)
 * @extended: entries extended into it
 * @in_barrier: of those, under the barrier
 * @fw_resumed: firmware PCRs it held already
 * @fw_extended: firmware extends sent to it
 * @barrier_ns: how long its barrier stood
 * @duration_ns: the whole re-mirror
 * @reset_count: the new vTPM's resetCount (TPM 2.0)
 * @restart_count: and its restartCount
 * @measure_rc: what measuring its record returned
 *
 * Written by the re-mirror, which main.c runs one at a time; read by the
 * record's formatting under th_state.lock after it.
 */
struct th_remirror {
	u64 base;
	unsigned int count;
	unsigned int failed;
	time64_t time;
	u64 entries;
	u64 log_entries;
	u64 resumed;
	u64 extended;
	u64 in_barrier;
	u32 fw_resumed;
	u32 fw_extended;
	s64 barrier_ns;
	s64 duration_ns;
	u32 reset_count;
	u32 restart_count;
	int measure_rc;
};

/**
 * struct th_handoff - one handoff attempt
 * @ptpm: the pTPM chip (IMA's)
 * @vtpm: the vTPM
 * @vtpm_spec: the vtpm parameter at trigger time
 * @log_path: IMA's binary measurement list, opened by the handoff thread
 * @barrier_timeout_ms: the watchdog's limit for the barrier
 * @mirror_timeout_ms: its limit for the replay before the barrier
 * @prereplay: replay before raising the barrier (else all of it under it)
 * @dry_run: stop before the commit
 * @ptpm_ak: the ptpm_ak parameter at trigger time (0: no handoff quote)
 * @vtpm_ak: the vtpm_ak parameter at trigger time
 * @quote: the handoff quote, if @ptpm_ak is set (quote.c)
 * @fw_spec: the fw_pcrs parameter at trigger time
 * @fw_log_path: a copy of the fw_log parameter at trigger time ("" or
 *		 NULL: the pTPM chip's own event log)
 * @fw_log_buf: the event log read from @fw_log_path (vmalloc'ed), or NULL
 * @fw: the firmware PCRs
 * @tpm1: the pTPM (and so the vTPM) is a TPM 1.2
 * @bank_list: the pTPM's banks, "sha1,sha256", for error messages
 * @measure: how the record is measured after the commit (NULL: IMA's
 *	     ima_measure_critical_data(); the KUnit suite measures into its
 *	     own list)
 * @measure_rc: what @measure returned after the commit
 * @log_ops: how the measurement list is read (NULL: th_log_file_ops)
 * @log_src: what @log_ops read (NULL: @log)
 * @log: the binary measurement list, read from securityfs
 * @replay: replay state
 * @mirror: which entries go into the vTPM, and when
 * @banks: the pTPM's banks (IMA extends exactly these)
 * @presnap: the pTPM's PCRs before the barrier (they fix the digest kinds)
 * @snap: the pTPM's PCRs under the barrier
 * @vpcr: the vTPM's PCRs (before the replay, then read back)
 * @kinds: the cut of @presnap: per bank, the digest kind IMA extends
 * @cut: the cut under the barrier, as the record shows it
 * @buf: command buffer (one page)
 * @chunk: read buffer for the log
 * @cc_attrs_tbl: the vTPM's command attributes, for the pTPM chip
 * @replayed_in_barrier: entries extended into the vTPM under the barrier
 * @vtpm_held: the vTPM's ops are held (tpm_try_get_ops())
 * @mem_bytes: memory this attempt allocated, at its peak
 * @replay_ns: time spent streaming the log into the vTPM
 * @duration_ns: the whole attempt
 * @step: what the handoff thread is doing, for error messages
 * @committed: the commit happened
 * @vtpm_name: the vTPM chip's name at the commit (the record shows it)
 * @remirror: the re-mirrors since the commit
 * @remirror_spec: the vTPM the running re-mirror takes
 * @remirror_old: while a re-mirror runs, the vTPM the forwarder still
 *		  uses (@vtpm is the new one)
 * @done: the handoff thread finished
 * @rc: its result
 * @err: why it failed
 * @barrier: the barrier
 */
struct th_handoff {
	struct tpm_chip *ptpm;
	struct th_vtpm vtpm;
	const char *vtpm_spec;
	const char *log_path;
	unsigned int barrier_timeout_ms;
	unsigned int mirror_timeout_ms;
	bool prereplay;
	bool dry_run;
	u32 ptpm_ak;
	u32 vtpm_ak;
	struct th_quote *quote;
	struct th_fw_spec fw_spec;
	char *fw_log_path;
	void *fw_log_buf;
	struct th_fw fw;
	bool tpm1;
	char bank_list[64];
	int (*measure)(struct th_handoff *h, const void *buf, size_t len);
	int measure_rc;
	const struct th_log_ops *log_ops;
	void *log_src;
	struct th_log_source log;
	struct th_replay *replay;
	struct th_mirror mirror;
	struct th_banks banks;
	struct th_pcr_values *presnap;
	struct th_pcr_values *snap;
	struct th_pcr_values *vpcr;
	struct th_cut kinds;
	struct th_cut cut;
	struct tpm_buf buf;
	u8 *chunk;
	u32 *cc_attrs_tbl;
	u64 replayed_in_barrier;
	bool vtpm_held;
	size_t mem_bytes;
	s64 replay_ns;
	s64 duration_ns;
	const char *step;
	bool committed;
	char vtpm_name[32];
	struct th_remirror remirror;
	const char *remirror_spec;
	struct th_vtpm remirror_old;
	struct completion done;
	int rc;
	char err[TH_ERRLEN];
	struct th_barrier barrier;
};

int th_handoff_run(struct th_handoff *h, const char *log_path);
void th_handoff_park(struct th_handoff *h);
void th_handoff_release(struct th_handoff *h);

/* handoff.c's steps that a re-mirror (remirror.c) shares. */
int th_ho_fail(struct th_handoff *h, int rc, const char *fmt, ...)
	__printf(3, 4);
int th_ho_read_pcrs(struct th_handoff *h, struct tpm_chip *chip,
		    struct th_pcr_values *v, u32 mask);
ssize_t th_ho_log_read(void *src, u8 *buf, size_t len);
int th_ho_extend(void *ctx, u32 pcr, const u8 *const *dig);
int th_ho_replay_error(struct th_handoff *h, int rc);
int th_ho_vtpm_hold(struct th_handoff *h);
void th_ho_vtpm_unhold(struct th_handoff *h);
int th_ho_mirror_stream(struct th_handoff *h);
int th_ho_check_vtpm(struct th_handoff *h);
int th_ho_read_clock(struct th_handoff *h, u32 *reset_count,
		     u32 *restart_count);
int th_ho_timed_out(struct th_handoff *h, const char *what,
		    const char *param, unsigned int ms);
int th_ho_measure(struct th_handoff *h, const char *event, const void *buf,
		  size_t len);

/* The event name of a re-mirror's critical-data entry. */
#define TH_REMIRROR_EVENT	"tpm_handoff_remirror"

int th_remirror_run(struct th_handoff *h, const char *spec);
int th_remirror_format(const struct th_handoff *h, char *buf, size_t len,
		       bool measured);

/* The label (and event name) of the handoff's IMA critical-data entry. */
#define TH_CRITICAL_DATA_LABEL	"tpm_handoff"

int th_record_format(const struct th_handoff *h, char *buf, size_t len,
		     bool measured);

#endif /* _TPM_HANDOFF_PRIV_H */
