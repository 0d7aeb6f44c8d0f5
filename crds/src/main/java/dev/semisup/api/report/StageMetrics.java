package dev.semisup.api.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The content of metrics.json of a training step (teacher, student, finetune), read by the
 * operator after the step succeeded and by the report.
 *
 * @param step        step id
 * @param architecture model name
 * @param accuracy    top-1 accuracy on the validation set, in [0,1]
 * @param loss        mean validation loss
 * @param epochs      epochs trained
 * @param trainImages images in one epoch of its training set
 * @param imagesPerSecond mean training throughput
 * @param seconds     wall time of the step
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageMetrics(
    String step,
    String architecture,
    double accuracy,
    double loss,
    int epochs,
    long trainImages,
    double imagesPerSecond,
    double seconds) {
}
