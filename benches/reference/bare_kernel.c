/*
 * A bare market-model event-study kernel in C: the yardstick for the engine target of issue 4
 * (2 M pairs/s for the compute phase of 50,000 pairs on a 5,000 × 2,520 panel, 2 cores).
 *
 * Per pair it does a SUBSET of what evstudy's engine does: moments over the estimation window
 * (−250..−11, NaN rows skipped), OLS α and β, per event day (−5..20) AR, SE with the
 * forecast-error correction and SAR, per window (−1:1, −5:5, 0:20) CAR, its SE, SCAR and BHAR,
 * and (argument 1 = 1) the 240 estimation residuals; output one record per pair. It does NOT
 * compute Student-t p-values, check the event days for missing values, record exclusions or
 * keep the returns and expected returns per day.
 *
 *   gcc -O2 -fopenmp -o bare_kernel benches/reference/bare_kernel.c -lm
 *   OMP_NUM_THREADS=2 ./bare_kernel [store_residuals=1] [pairs_sorted_by_security=0]
 *
 * Measured on the 2-core VM of the project (2026-11-30, medians of 8 repetitions, several
 * runs): 24–34 ms per 50,000 pairs with residuals (1.5–2.1 M pairs/s; 55 ms on one thread),
 * 24 ms without residuals, 18.5–24 ms with the pairs sorted by security. The engine's
 * `analyse_pairs_batch` took 53–63 ms in the same hour (`cargo bench --bench engine`).
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NS 5000
#define ND 2520
#define NP 50000
#define L 240
#define H 26

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static unsigned long long state = 1;
static double uniform(void) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 11) * (1.0 / 9007199254740992.0);
}

int main(int argc, char **argv) {
    int store_resid = argc > 1 ? atoi(argv[1]) : 1;
    int sorted = argc > 2 ? atoi(argv[2]) : 0;
    double *ret = malloc((size_t)NS * ND * sizeof(double));
    double *mk = malloc(ND * sizeof(double));
    for (int d = 0; d < ND; d++) mk[d] = 0.01 * (uniform() - 0.5);
    for (size_t i = 0; i < (size_t)NS * ND; i++) ret[i] = mk[i % ND] + 0.02 * (uniform() - 0.5);
    int *sec = malloc(NP * sizeof(int)), *d0 = malloc(NP * sizeof(int));
    for (int p = 0; p < NP; p++) {
        sec[p] = p % NS; /* as the benchmark panel's events: securities in turn */
        d0[p] = 260 + (int)(uniform() * (ND - 290));
    }
    if (sorted) {
        int *s2 = malloc(NP * sizeof(int)), *d2 = malloc(NP * sizeof(int)), k = 0;
        for (int s = 0; s < NS; s++)
            for (int p = s; p < NP; p += NS) { s2[k] = sec[p]; d2[k] = d0[p]; k++; }
        sec = s2;
        d0 = d2;
    }
    size_t rec = (store_resid ? L : 0) + 5 * H + 3 * 4;
    double *out = malloc((size_t)NP * rec * sizeof(double));
    const int ws[3][2] = {{4, 6}, {0, 10}, {5, 25}};
    for (int rep = 0; rep < 8; rep++) {
        double t0 = now();
#pragma omp parallel for schedule(dynamic, 128)
        for (int p = 0; p < NP; p++) {
            const double *r = ret + (size_t)sec[p] * ND;
            int a = d0[p] - 250, b = d0[p] - 11;
            double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, x0 = mk[a], y0 = r[a];
            for (int t = a; t <= b; t++) {
                double m = mk[t], y = r[t];
                if (isfinite(m) && isfinite(y)) {
                    double dx = m - x0, dy = y - y0;
                    n += 1; sx += dx; sy += dy; sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
                }
            }
            double Sxx = sxx - sx * sx / n, Sxy = sxy - sx * sy / n, Syy = syy - sy * sy / n;
            double beta = Sxy / Sxx, mx = x0 + sx / n, my = y0 + sy / n, alpha = my - beta * mx;
            double s2 = (Syy - beta * Sxy) / (n - 2);
            double *o = out + (size_t)p * rec;
            if (store_resid)
                for (int t = a; t <= b; t++) o[t - a] = r[t] - alpha - beta * mk[t];
            double *ar = o + (store_resid ? L : 0), *er = ar + H, *se = er + H, *sar = se + H;
            double *rr = sar + H, *w = rr + H;
            for (int i = 0; i < H; i++) {
                int t = d0[p] - 5 + i;
                double m = mk[t], e = alpha + beta * m, dm = m - mx;
                rr[i] = r[t]; er[i] = e; ar[i] = r[t] - e;
                se[i] = sqrt(s2 * (1 + 1 / n + dm * dm / Sxx));
                sar[i] = ar[i] / se[i];
            }
            for (int k = 0; k < 3; k++) {
                double car = 0, sm = 0, pr = 1, pe = 1;
                for (int i = ws[k][0]; i <= ws[k][1]; i++) {
                    car += ar[i]; sm += mk[d0[p] - 5 + i]; pr *= 1 + rr[i]; pe *= 1 + er[i];
                }
                int nd = ws[k][1] - ws[k][0] + 1;
                double dm = sm - nd * mx, sd = sqrt(s2 * (nd + nd * nd / n + dm * dm / Sxx));
                w[4 * k] = car; w[4 * k + 1] = sd; w[4 * k + 2] = car / sd; w[4 * k + 3] = pr - pe;
            }
        }
        printf("residuals=%d sorted=%d threads=%d: %.1f ms\n", store_resid, sorted,
               omp_get_max_threads(), (now() - t0) * 1e3);
    }
    double check = 0;
    for (size_t i = 0; i < (size_t)NP * rec; i += 97) check += out[i];
    printf("checksum %g\n", check);
    return 0;
}
