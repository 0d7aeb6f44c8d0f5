package dev.semisup.worker.serving;

import ai.djl.Model;
import ai.djl.modality.Input;
import ai.djl.modality.Output;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import dev.semisup.worker.model.card.ModelCard;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.Set;

/**
 * Makes the servable model's translator: {@link Input} (the request's image bytes, JPEG or PNG)
 * to {@link Output} (the class probabilities as JSON), the pair DJL Serving asks for. Reads the
 * model directory's card for the preprocessing and the class names. Named by
 * {@code translatorFactory} in serving.properties.
 */
public final class ImageClassifierTranslatorFactory implements TranslatorFactory {

  @Override
  public Set<Pair<Type, Type>> getSupportedTypes() {
    return Set.of(new Pair<>(Input.class, Output.class));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
      throws TranslateException {
    if (!isSupported(input, output)) {
      throw new IllegalArgumentException("semisup's translator turns Input into Output, not "
          + input.getName() + " into " + output.getName());
    }
    ModelCard card;
    try {
      card = ImageClassifierBlockFactory.card(model.getModelPath());
    } catch (IOException e) {
      throw new TranslateException(e.getMessage(), e);
    }
    return (Translator<I, O>) new ImageClassifierTranslator(card);
  }
}
